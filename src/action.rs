//! `sahulat action create|list` (register and list innovative actions) and `sahulat report
//! action` (an action's evaluation as JSON, CSV or a printable HTML page), over the same code
//! as `/api/v1/actions` (`sahulat_api::actions`). Reports suppress counts under
//! `SAHULAT_MIN_CELL`, as an evaluator sees them.

use chrono::Utc;
use clap::{Args, Subcommand};
use sahulat_api::actions::{evaluate_action, evaluation_csv, EvaluationOptions};
use sahulat_domain::innovation::ActionDraft;
use sahulat_domain::lang::Lang;
use sahulat_store::reference_data::Reference;
use sahulat_store::Store;

/// `sahulat action …`.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum ActionCommand {
    /// Register an innovative action; prints its id.
    Create {
        /// Title (3–200 characters).
        #[arg(long)]
        title: String,
        /// District, by P-code or name.
        #[arg(long)]
        district: String,
        /// Tehsil codes of the district it covers, comma-separated (e.g. PK71303,PK71304).
        #[arg(long, value_delimiter = ',', required = true)]
        tehsils: Vec<String>,
        /// First day, YYYY-MM-DD (Pakistan).
        #[arg(long)]
        start: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        end: Option<String>,
        /// Services concerned, comma-separated codes (default: all).
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
        /// SDG targets concerned, comma-separated (e.g. 6.1,6.2).
        #[arg(long = "sdg-targets", value_delimiter = ',')]
        sdg_targets: Vec<String>,
        /// What was done.
        #[arg(long)]
        description: Option<String>,
        /// Budget in PKR.
        #[arg(long = "budget-pkr")]
        budget_pkr: Option<i64>,
        /// The effect expected, in words.
        #[arg(long = "expected-effect")]
        expected_effect: Option<String>,
        /// Who registers it (recorded with the action).
        #[arg(long, env = "USER", default_value = "cli")]
        by: String,
    },
    /// List the actions (one line each: id, district, start, end, tehsils, title).
    List {
        /// Only this district (P-code or name).
        #[arg(long)]
        district: Option<String>,
    },
}

/// `sahulat report action …`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The action's id (`sahulat action list`).
    #[arg(long)]
    pub id: i64,
    /// json (one object per KPI and the design), csv (one row per KPI) or html (printable).
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Language of readings and warnings: en, ur or sd.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Baseline length in days (default: the follow-up's).
    #[arg(long = "baseline-days")]
    pub baseline_days: Option<u32>,
    /// Follow-up length in days (default: how long the action ran, at most 180).
    #[arg(long = "follow-up-days")]
    pub follow_up_days: Option<u32>,
    /// Comparison tehsil codes, comma-separated (default: every other pilot tehsil).
    #[arg(long, value_delimiter = ',')]
    pub comparison: Vec<String>,
    /// Bootstrap seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Bootstrap resamples (100–10000).
    #[arg(long)]
    pub resamples: Option<u32>,
    /// Counts on fewer requests are suppressed.
    #[arg(long = "min-cell", env = "SAHULAT_MIN_CELL", default_value_t = 5)]
    pub min_cell: u64,
}

/// Runs `sahulat action …`; returns what to print.
pub async fn run(
    store: &dyn Store,
    reference: &Reference,
    cmd: ActionCommand,
) -> anyhow::Result<String> {
    match cmd {
        ActionCommand::Create {
            title,
            district,
            tehsils,
            start,
            end,
            services,
            sdg_targets,
            description,
            budget_pkr,
            expected_effect,
            by,
        } => {
            let draft = ActionDraft {
                title: Some(title),
                district: Some(district),
                tehsils,
                services,
                sdg_targets,
                start: Some(start),
                end,
                description,
                budget_pkr,
                expected_effect,
            };
            let new = draft
                .validate(&reference.catalogue)
                .map_err(|e| anyhow::anyhow!("{}", flags(&e.to_string())))?;
            let a = store.create_action(&new, &by, Utc::now()).await?;
            Ok(format!("{}\n", a.id))
        }
        ActionCommand::List { district } => {
            let district = match district {
                Some(d) => Some(
                    reference
                        .catalogue
                        .find_district(&d)
                        .map(|d| d.code.clone())
                        .ok_or_else(|| anyhow::anyhow!("--district {d:?} is not a district"))?,
                ),
                None => None,
            };
            let mut out = String::new();
            for a in store.actions(district.as_deref()).await? {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    a.id,
                    a.district,
                    a.start,
                    a.end.map(|e| e.to_string()).unwrap_or_else(|| "-".into()),
                    a.tehsils.join(","),
                    a.title
                ));
            }
            Ok(out)
        }
    }
}

/// A validation message with the API's field names spelled as the CLI's flags.
fn flags(message: &str) -> String {
    [
        ("budget_pkr", "--budget-pkr"),
        ("sdg_targets", "--sdg-targets"),
        ("expected_effect", "--expected-effect"),
    ]
    .iter()
    .fold(message.to_string(), |m, (f, flag)| m.replace(f, flag))
}

/// `sahulat report action`: the evaluation as text.
pub async fn report(
    store: &dyn Store,
    reference: &Reference,
    args: ReportArgs,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        matches!(args.format.as_str(), "json" | "csv" | "html"),
        "--format {:?}: accepted: json, csv, html",
        args.format
    );
    let lang = Lang::parse(&args.lang)
        .filter(|l| matches!(l, Lang::En | Lang::Ur | Lang::Sd))
        .ok_or_else(|| anyhow::anyhow!("--lang {:?}: accepted: en, ur, sd", args.lang))?;
    let action = store.action(args.id).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "--id {}: no such action (see `sahulat action list`)",
            args.id
        )
    })?;
    let opts = EvaluationOptions {
        baseline_days: args.baseline_days,
        follow_up_days: args.follow_up_days,
        comparison: (!args.comparison.is_empty()).then_some(args.comparison),
        seed: args.seed,
        resamples: args.resamples,
    };
    let e = evaluate_action(
        store,
        &reference.catalogue,
        &reference.population,
        &action,
        &opts,
        Some(args.min_cell.max(1)),
        lang,
        Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    match args.format.as_str() {
        "csv" => evaluation_csv(&e),
        "html" => sahulat_api::action_report_html(&e, &reference.catalogue, lang, Utc::now())
            .map_err(|e| anyhow::anyhow!("{e}")),
        _ => Ok(serde_json::to_string_pretty(&e)?),
    }
}
