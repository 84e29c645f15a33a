//! `sahulat`: the one binary. `serve` runs the HTTP API on SQLite or PostgreSQL, loading the
//! reference data from `fixtures/` on every start; `migrate` and `apikey` are the operator's
//! tools. Every flag also reads an environment variable (see `--help`).

mod action;
mod apikey;
mod backup;
mod jobs;
mod report;
mod simulate;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sahulat_api::{AppContext, AppState, Settings};
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_domain::ids::RandomIds;
use sahulat_store::reference_data::{self, Reference};
use sahulat_store::{ReferenceCounts, Store};
use sahulat_worker::{HttpSmsNotifier, LogNotifier, Notifier, Worker, WorkerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// mimalloc for the whole process: built with its `override` feature it also serves the bundled
/// SQLite's `malloc`. glibc's `malloc` and `free` were a fifth of the samples late in a year-long
/// simulation, most of it merging and splitting the chunks of a fragmented heap (BENCHMARKS.md,
/// "The simulator: its allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sahulat: citizen service requests for local governments.
#[derive(Debug, Parser)]
#[command(name = "sahulat", version, about)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database: sqlite://PATH (default; created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/sahulat.db",
        global = true
    )]
    database_url: String,
    /// Folder holding the reference data (boundaries, services, departments, routing).
    #[arg(
        long,
        env = "SAHULAT_FIXTURES",
        default_value = "fixtures",
        global = true
    )]
    fixtures: PathBuf,
    /// Key sealing reporters' contact details: 64 hex characters (overrides the key file).
    #[arg(long, env = "SAHULAT_DATA_KEY", hide_env_values = true, global = true)]
    data_key: Option<String>,
    /// Key file, created (mode 0600) on first start when no key is given.
    #[arg(
        long,
        env = "SAHULAT_KEY_FILE",
        default_value = "data/sahulat.key",
        global = true
    )]
    key_file: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API and an embedded worker (migrates and loads reference data first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SAHULAT_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Do not run the embedded worker (run `sahulat worker` processes instead).
        #[arg(long, env = "SAHULAT_NO_WORKER", value_parser = clap::builder::FalseyValueParser::new())]
        no_worker: bool,
    },
    /// Run a background worker alone (several may share one PostgreSQL database).
    Worker,
    /// Show the job queue (depth by kind and state, failed jobs), or retry a failed job.
    Jobs {
        #[command(subcommand)]
        command: Option<jobs::JobsCommand>,
    },
    /// Apply database migrations and load the reference data, then exit.
    Migrate,
    /// Copy the database (online), the data key and the photos into a new folder.
    Backup(backup::BackupArgs),
    /// Put a backup back (stop `serve` and workers first); checked before anything is replaced.
    Restore(backup::RestoreArgs),
    /// Manage staff, coordinator, evaluator and admin accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a synthetic history through the real intake, worker and lifecycle (for demos,
    /// load tests and evaluations); deterministic for a seed.
    Simulate {
        /// Days to simulate.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Mean requests a day over the four pilot districts.
        #[arg(long = "requests-per-day", default_value_t = 200)]
        requests_per_day: u32,
        /// Seed (the same seed gives the same history).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// First day, YYYY-MM-DD (Pakistan); default: `days` days before today.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// An injected effect AREA:FROM:KPI:CHANGE, e.g.
        /// PK71303+PK71304:2026-06-01:days_to_resolve:-3 (repeatable).
        #[arg(long)]
        effect: Vec<String>,
    },
    /// Register and list innovative actions (for their evaluation: `report action`).
    Action {
        #[command(subcommand)]
        command: action::ActionCommand,
    },
    /// Reports for evaluators and planners (small cells suppressed).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Manage Open311 API keys.
    Apikey {
        #[command(subcommand)]
        command: apikey::ApikeyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input (or asked for on a terminal).
    Create {
        /// admin, coordinator, staff or evaluator.
        #[arg(long)]
        role: String,
        /// Sign-in name (3–40 letters, digits, '.', '_' or '-').
        #[arg(long)]
        username: String,
        /// District (P-code or name): required for coordinators.
        #[arg(long)]
        district: Option<String>,
        /// Department code (see fixtures/departments.json): required for staff.
        #[arg(long)]
        department: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// A district's local plan input: needs ranked by tehsil and service, and hotspots.
    Plan {
        /// District, by P-code or name; with --format html several (repeated, comma-separated,
        /// or `all` for the four pilots), each on its own printed page.
        #[arg(long, required = true)]
        district: Vec<String>,
        /// First day, YYYY-MM-DD (Pakistan).
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD, inclusive.
        #[arg(long)]
        to: String,
        /// json (everything), csv (the ranked needs), geojson (the hotspots) or html (the
        /// printable report: key figures, charts, SDG view, needs, hotspot map, sources).
        #[arg(long, default_value = "json")]
        format: String,
        /// Language of the html report: en, ur or sd.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Hotspot radius in metres.
        #[arg(long = "radius-m", default_value_t = 250.0)]
        radius_m: f64,
        /// Hotspot minimum size.
        #[arg(long = "min-size", default_value_t = 5)]
        min_size: usize,
        /// Figures on fewer requests are suppressed.
        #[arg(long = "min-cell", env = "SAHULAT_MIN_CELL", default_value_t = 5)]
        min_cell: u64,
    },
    /// An innovative action's evaluation: difference in differences on every key figure,
    /// with 95 % intervals, checks and readings (docs/evaluation.md).
    Action(action::ReportArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = if matches!(cli.command, Command::Simulate { .. }) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // A simulation's thousands of simulated SMS and inbox lines would drown its progress bar.
    let quiet = matches!(cli.command, Command::Simulate { .. });
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                if quiet {
                    "warn"
                } else {
                    "info,sqlx=warn,tower_http=info"
                }
                .into()
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve { bind, no_worker } => serve(&cli.db, bind, !no_worker).await,
        Command::Worker => {
            let (store, reference, _) = open(&cli.db).await?;
            let worker = make_worker(store, &reference)?;
            let (tx, rx) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                let _ = tx.send(true);
            });
            worker.run(rx).await
        }
        Command::Jobs { command } => jobs::run(connect(&cli.db).await?, command).await,
        Command::User {
            command:
                UserCommand::Create {
                    role,
                    username,
                    district,
                    department,
                },
        } => {
            let (store, reference, _) = open(&cli.db).await?;
            let password = read_password()?;
            let new = sahulat_domain::accounts::NewUser::new(
                &reference.catalogue,
                &username,
                &role,
                district.as_deref(),
                department.as_deref(),
                &password,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .create_user(&new, SystemClock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "created {} {:?}{}{}",
                user.role.as_str(),
                user.username,
                user.district
                    .as_deref()
                    .map(|d| format!(" in {d}"))
                    .unwrap_or_default(),
                user.department
                    .as_deref()
                    .map(|d| format!(", department {d}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Command::Simulate {
            days,
            requests_per_day,
            seed,
            from,
            effect,
        } => {
            anyhow::ensure!(
                (1..=3660).contains(&days),
                "--days must be between 1 and 3660"
            );
            anyhow::ensure!(
                (1..=100_000).contains(&requests_per_day),
                "--requests-per-day must be between 1 and 100000"
            );
            let key = sahulat_store::keyfile::load_data_key(
                cli.db.data_key.as_deref(),
                &cli.db.key_file,
            )?;
            let store = sahulat_store::connect_bulk(&cli.db.database_url, Arc::new(key)).await?;
            let reference = reference_data::load(&cli.db.fixtures)?;
            sahulat_store::prepare(store.as_ref(), &reference.catalogue, SystemClock.now()).await?;
            let spec = simulate::spec(&reference, seed, days, requests_per_day, from, &effect)?;
            for e in &spec.effects {
                eprintln!("injected effect: {}", simulate::describe(e));
            }
            let t = std::time::Instant::now();
            let tally = simulate::run(store.clone(), &reference, spec).await?;
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "simulated {} requests ({} touched by an effect), {} department actions, {} ratings in {:.1} s ({:.0} requests/min)",
                tally.requests, tally.affected, tally.actions, tally.ratings, secs,
                tally.requests as f64 * 60.0 / secs.max(1e-9)
            );
            if tally.affected > 0 {
                eprintln!(
                    "true effect on the touched requests: answer time changed by {:+.2} days on average (after the generator's clamps)",
                    tally.shift_days / tally.affected as f64
                );
            }
            // SQLite's bulk writer does not check foreign keys as it writes: check them once.
            let t = std::time::Instant::now();
            let dangling = store.foreign_key_problems().await?;
            anyhow::ensure!(
                dangling.is_empty(),
                "the simulated history has rows whose reference names no row: {}",
                dangling.join("; ")
            );
            eprintln!(
                "every reference in the history names a row (foreign keys checked in {:.1} s)",
                t.elapsed().as_secs_f64()
            );
            // PostgreSQL: pack the history's facts now rather than at the worker's first pass.
            let t = std::time::Instant::now();
            let packed = store.refresh_fact_blocks().await?;
            if packed.ran {
                eprintln!(
                    "packed {} facts into {} district-day fact blocks in {:.1} s",
                    packed.facts,
                    packed.days,
                    t.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Report {
            command:
                ReportCommand::Plan {
                    district,
                    from,
                    to,
                    format,
                    lang,
                    radius_m,
                    min_size,
                    min_cell,
                },
        } => {
            let (store, reference, _) = open(&cli.db).await?;
            let args = report::PlanArgs {
                districts: district,
                from,
                to,
                format,
                lang,
                radius_m,
                min_size,
                min_cell,
            };
            let text = report::plan(store.as_ref(), &reference, &args).await?;
            #[allow(clippy::print_stdout)]
            {
                print!("{text}");
                if !text.ends_with('\n') {
                    println!();
                }
            }
            Ok(())
        }
        Command::Action { command } => {
            let (store, reference, _) = open(&cli.db).await?;
            let text = action::run(store.as_ref(), &reference, command).await?;
            #[allow(clippy::print_stdout)]
            {
                print!("{text}");
            }
            Ok(())
        }
        Command::Report {
            command: ReportCommand::Action(args),
        } => {
            let (store, reference, _) = open(&cli.db).await?;
            let text = action::report(store.as_ref(), &reference, args).await?;
            #[allow(clippy::print_stdout)]
            {
                println!("{}", text.trim_end());
            }
            Ok(())
        }
        Command::Backup(args) => {
            let store = connect(&cli.db).await?;
            let url = &cli.db.database_url;
            let out = backup::backup(
                store.as_ref(),
                url,
                cli.db.data_key.as_deref(),
                &cli.db.key_file,
                &args,
            )
            .await?;
            eprint!("{out}");
            Ok(())
        }
        Command::Restore(args) => {
            let (url, key) = (&cli.db.database_url, cli.db.data_key.as_deref());
            eprintln!(
                "{}",
                backup::restore(url, key, &cli.db.key_file, &args).await?
            );
            Ok(())
        }
        Command::Migrate => {
            let (store, _, counts) = open(&cli.db).await?;
            eprintln!(
                "database {} is up to date; reference data: {counts:?}",
                store.backend()
            );
            Ok(())
        }
        Command::Apikey { command } => {
            let store = connect(&cli.db).await?;
            store.migrate().await?;
            apikey::run(store.as_ref(), command).await
        }
    }
}

/// The password from a terminal prompt (not echoed) or the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn connect(db: &DbArgs) -> anyhow::Result<Arc<dyn Store>> {
    let key = sahulat_store::keyfile::load_data_key(db.data_key.as_deref(), &db.key_file)?;
    sahulat_store::connect(&db.database_url, Arc::new(key))
        .await
        .with_context(|| format!("opening the database {}", redact(&db.database_url)))
}

/// Opens the store, reads the reference data, migrates and loads the reference data.
async fn open(db: &DbArgs) -> anyhow::Result<(Arc<dyn Store>, Reference, ReferenceCounts)> {
    let store = connect(db).await?;
    let reference = reference_data::load(&db.fixtures)?;
    let counts =
        sahulat_store::prepare(store.as_ref(), &reference.catalogue, SystemClock.now()).await?;
    Ok((store, reference, counts))
}

fn app_state(store: Arc<dyn Store>, reference: &Reference) -> anyhow::Result<AppState> {
    Ok(AppContext::new(
        store,
        reference,
        Arc::new(SystemClock),
        Arc::new(RandomIds::from_entropy()),
        Settings::from_env()?,
    ))
}

/// Hides a password in a database URL before it is logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn make_worker(store: Arc<dyn Store>, reference: &Reference) -> anyhow::Result<Worker> {
    let notifier: Arc<dyn Notifier> = match HttpSmsNotifier::from_env()? {
        Some(n) => Arc::new(n),
        None => {
            tracing::warn!("SAHULAT_SMS_URL is not set: SMS messages are written to the log only");
            Arc::new(LogNotifier)
        }
    };
    Ok(Worker::new(
        store,
        reference,
        Arc::new(SystemClock),
        notifier,
        WorkerConfig::from_env()?,
        sahulat_worker::worker_id(),
    ))
}

async fn serve(db: &DbArgs, bind: SocketAddr, with_worker: bool) -> anyhow::Result<()> {
    sahulat_api::prometheus();
    let (store, reference, counts) = open(db).await?;
    let state = app_state(store.clone(), &reference)?;
    tracing::info!(
        backend = store.backend(),
        districts = counts.districts,
        tehsils = counts.tehsils,
        services = counts.services,
        departments = counts.departments,
        routing_rules = counts.routing_rules,
        "reference data loaded"
    );
    if state.settings.gateway_key.is_none() {
        tracing::warn!(
            "SAHULAT_USSD_KEY is not set: anyone who finds /ussd/… and /sms/… can post to them; set it and add ?key=… to the gateway's callback URL"
        );
    }
    let listener = TcpListener::bind(bind).await.with_context(|| {
        format!("cannot listen on {bind} (is another Sahulat running? set SAHULAT_BIND)")
    })?;
    tracing::info!("Sahulat is listening on http://{}", listener.local_addr()?);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let worker = if with_worker {
        let w = make_worker(store, &reference)?;
        Some(tokio::spawn(async move { w.run(rx).await }))
    } else {
        None
    };
    axum::serve(
        listener,
        sahulat_api::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    let _ = tx.send(true);
    if let Some(w) = worker {
        w.await??;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
