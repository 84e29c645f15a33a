//! PostgreSQL job queue: `FOR UPDATE SKIP LOCKED` claims, so any number of `sahulat worker`
//! processes share the queue without running one job twice at once.

use super::*;
use crate::sql::one_at_a_time_sql;
use chrono::Duration;

const JOB_COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, last_error, run_at";

fn job_from_row(r: &PgRow) -> Result<Job> {
    Ok(Job {
        id: r.try_get("id").map_err(db)?,
        kind: r.try_get("kind").map_err(db)?,
        payload: r.try_get("payload").map_err(db)?,
        state: r.try_get("state").map_err(db)?,
        attempts: r.try_get("attempts").map_err(db)?,
        max_attempts: r.try_get("max_attempts").map_err(db)?,
        last_error: r.try_get("last_error").map_err(db)?,
        run_at: r.try_get("run_at").map_err(db)?,
    })
}

#[async_trait]
impl JobQueue for PgStore {
    async fn enqueue(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        run_at: DateTime<Utc>,
        unique: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let sql = format!(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             SELECT $1, $2, 'queued', 0, $3, $4, $5, $5 {} RETURNING id",
            if unique { "WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state = 'queued')" } else { "" }
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(kind)
            .bind(payload)
            .bind(DEFAULT_MAX_ATTEMPTS)
            .bind(run_at)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?)
    }

    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>> {
        let rows = sqlx::query(&format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, locked_by = $2, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs j WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3)) AND {} \
             ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING {JOB_COLUMNS}",
            one_at_a_time_sql("$3")
        ))
        .bind(now + lease)
        .bind(worker)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await.map_err(db)?;
        let mut jobs: Vec<Job> = rows.iter().map(job_from_row).collect::<Result<_>>()?;
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    async fn complete(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let n = sqlx::query("UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'")
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(&self.pool)
            .await.map_err(db)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn fail(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<JobFate> {
        let row = sqlx::query(
            "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts OR $6 THEN 'failed' ELSE 'queued' END, run_at = $1, last_error = $2, \
             lease_until = NULL, locked_by = NULL, updated_at = $3 WHERE id = $4 AND locked_by = $5 AND state = 'running' RETURNING state",
        )
        .bind(retry_at.unwrap_or(now))
        .bind(error)
        .bind(now)
        .bind(id)
        .bind(worker)
        .bind(retry_at.is_none())
        .fetch_optional(&self.pool)
        .await.map_err(db)?;
        Ok(
            match row
                .map(|r| r.try_get::<String, _>("state"))
                .transpose()
                .map_err(db)?
                .as_deref()
            {
                None => JobFate::LeaseLost,
                Some("failed") => JobFate::Failed,
                Some(_) => JobFate::Retrying,
            },
        )
    }

    async fn retry_failed(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let n = sqlx::query("UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 WHERE id = $2 AND state = 'failed'")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await.map_err(db)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn job_counts(&self) -> Result<Vec<JobCount>> {
        let rows = sqlx::query(
            "SELECT kind, state, COUNT(*) AS n FROM jobs GROUP BY kind, state ORDER BY kind, state",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(JobCount {
                    kind: r.try_get("kind").map_err(db)?,
                    state: r.try_get("state").map_err(db)?,
                    count: r.try_get("n").map_err(db)?,
                })
            })
            .collect()
    }

    async fn jobs(&self, state: &str, limit: u32) -> Result<Vec<Job>> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = $1 ORDER BY id LIMIT $2"
        ))
        .bind(state)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(job_from_row).collect()
    }
}
