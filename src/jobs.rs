//! `sahulat jobs` (the job queue's counts by kind and state, and its failed jobs) and `sahulat
//! jobs retry ID` (a failed job queued again with its tries reset).

use clap::Subcommand;
use sahulat_domain::clock::{Clock, SystemClock};
use sahulat_store::Store;
use std::sync::Arc;

/// `sahulat jobs …`.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Put a failed job back in the queue with its tries reset.
    Retry {
        /// The job id shown by `sahulat jobs`.
        id: i64,
    },
}

/// Runs `sahulat jobs [retry ID]` on the store.
#[allow(clippy::print_stdout)]
pub async fn run(store: Arc<dyn Store>, command: Option<JobsCommand>) -> anyhow::Result<()> {
    store.migrate().await?;
    match command {
        Some(JobsCommand::Retry { id }) => {
            if store.retry_failed(id, SystemClock.now()).await? {
                println!("job {id} is queued again");
                Ok(())
            } else {
                anyhow::bail!("job {id} is not a failed job (see `sahulat jobs`)")
            }
        }
        None => {
            println!("{:<10} {:<8} {:>8}", "kind", "state", "jobs");
            for c in store.job_counts().await? {
                println!("{:<10} {:<8} {:>8}", c.kind, c.state, c.count);
            }
            let failed = store.jobs("failed", 50).await?;
            if !failed.is_empty() {
                println!("\nfailed jobs (retry with `sahulat jobs retry ID`):");
                for j in failed {
                    println!(
                        "{:>8} {:<10} tries {:>2}  {}  {}",
                        j.id,
                        j.kind,
                        j.attempts,
                        j.payload,
                        j.last_error.unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
    }
}
