//! The worker's tunables, each with an environment variable (see the README).

use chrono::Duration;
use sahulat_domain::sla::WorkingHours;
use sahulat_domain::triage::TriageConfig;

/// Tunables.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Duplicate radius and window (`SAHULAT_DUPLICATE_RADIUS_M`, 250;
    /// `SAHULAT_DUPLICATE_WINDOW_HOURS`, 168) and office hours for SLA
    /// (`SAHULAT_WORKING_HOURS`, "mon-sat 08:00-16:00").
    pub triage: TriageConfig,
    /// Job lease (`SAHULAT_JOB_LEASE_SECS`, 60).
    pub lease: Duration,
    /// Idle poll interval (`SAHULAT_POLL_MS`, 500).
    pub poll: std::time::Duration,
    /// Jobs claimed at once (`SAHULAT_WORKER_BATCH`, 128, at most 512): a burst of reports is
    /// triaged a claim at a time, each written in one transaction.
    pub batch: u32,
    /// How often the escalation sweep runs (`SAHULAT_ESCALATION_EVERY_SECS`, 300).
    pub escalation_every: Duration,
    /// SMS per phone per hour (`SAHULAT_SMS_PER_PHONE_PER_HOUR`, 5).
    pub sms_per_phone_per_hour: i64,
    /// Delivery tries per message before it is kept as failed.
    pub sms_max_attempts: i32,
    /// Test hook: sleep this long inside every triage job (`SAHULAT_TEST_TRIAGE_DELAY_MS`).
    pub triage_delay: std::time::Duration,
    /// How long finished jobs, SMS to citizens, stored Idempotency-Key answers, USSD sessions
    /// and inbound SMS records are kept (`SAHULAT_RETENTION_DAYS`, 90).
    pub retention: Duration,
    /// How often the retention job runs (daily).
    pub retention_every: Duration,
    /// How often the `fact_blocks` pass runs (`SAHULAT_FACT_BLOCKS_EVERY_SECS`, 900, at least
    /// 10): PostgreSQL's evidence reads add the requests changed since the last pass to its
    /// blocks, so a rarer pass means larger such reads, never a wrong figure.
    pub fact_blocks_every: Duration,
    /// The photo folder the retention job sweeps (`SAHULAT_MEDIA_DIR`, `data/media`).
    pub media_dir: std::path::PathBuf,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            triage: TriageConfig::default(),
            lease: Duration::seconds(60),
            poll: std::time::Duration::from_millis(500),
            batch: 128,
            escalation_every: Duration::seconds(300),
            sms_per_phone_per_hour: 5,
            sms_max_attempts: 5,
            triage_delay: std::time::Duration::ZERO,
            retention: Duration::days(90),
            retention_every: Duration::days(1),
            fact_blocks_every: Duration::seconds(900),
            media_dir: std::path::PathBuf::from("data/media"),
        }
    }
}

impl WorkerConfig {
    /// Reads the environment; a malformed value is an error naming the variable.
    pub fn from_env() -> anyhow::Result<WorkerConfig> {
        let mut c = WorkerConfig::default();
        fn num<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => v
                    .trim()
                    .parse::<T>()
                    .map(Some)
                    .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a valid number")),
                _ => Ok(None),
            }
        }
        if let Some(v) = num::<f64>("SAHULAT_DUPLICATE_RADIUS_M")? {
            anyhow::ensure!(
                v > 0.0 && v <= 5000.0,
                "SAHULAT_DUPLICATE_RADIUS_M must be between 1 and 5000 metres"
            );
            c.triage.duplicate_radius_m = v;
        }
        if let Some(v) = num::<i64>("SAHULAT_DUPLICATE_WINDOW_HOURS")? {
            c.triage.duplicate_window = Duration::hours(v.max(1));
        }
        if let Ok(v) = std::env::var("SAHULAT_WORKING_HOURS") {
            if !v.trim().is_empty() {
                c.triage.working_hours = WorkingHours::parse(&v)
                    .map_err(|e| anyhow::anyhow!("SAHULAT_WORKING_HOURS: {e}"))?;
            }
        }
        if let Some(v) = num::<i64>("SAHULAT_JOB_LEASE_SECS")? {
            c.lease = Duration::seconds(v.max(1));
        }
        if let Some(v) = num::<u64>("SAHULAT_POLL_MS")? {
            c.poll = std::time::Duration::from_millis(v.max(10));
        }
        if let Some(v) = num::<u32>("SAHULAT_WORKER_BATCH")? {
            anyhow::ensure!(
                (1..=512).contains(&v),
                "SAHULAT_WORKER_BATCH must be between 1 and 512 jobs"
            );
            c.batch = v;
        }
        if let Some(v) = num::<i64>("SAHULAT_ESCALATION_EVERY_SECS")? {
            c.escalation_every = Duration::seconds(v.max(1));
        }
        if let Some(v) = num::<i64>("SAHULAT_SMS_PER_PHONE_PER_HOUR")? {
            c.sms_per_phone_per_hour = v.max(1);
        }
        if let Some(v) = num::<i64>("SAHULAT_RETENTION_DAYS")? {
            anyhow::ensure!(
                (7..=3650).contains(&v),
                "SAHULAT_RETENTION_DAYS must be between 7 and 3650 days"
            );
            c.retention = Duration::days(v);
        }
        if let Some(v) = num::<i64>("SAHULAT_FACT_BLOCKS_EVERY_SECS")? {
            anyhow::ensure!(
                (10..=86_400).contains(&v),
                "SAHULAT_FACT_BLOCKS_EVERY_SECS must be between 10 and 86400 seconds"
            );
            c.fact_blocks_every = Duration::seconds(v);
        }
        if let Ok(v) = std::env::var("SAHULAT_MEDIA_DIR") {
            if !v.trim().is_empty() {
                c.media_dir = std::path::PathBuf::from(v.trim());
            }
        }
        if let Some(v) = num::<u64>("SAHULAT_TEST_TRIAGE_DELAY_MS")? {
            c.triage_delay = std::time::Duration::from_millis(v);
        }
        Ok(c)
    }
}
