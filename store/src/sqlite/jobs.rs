//! SQLite job queue: claims in one short `BEGIN IMMEDIATE` transaction (an `UPDATE … RETURNING`
//! over the due jobs), so two processes on one file never hold the same job.

use super::*;
use crate::sql::one_at_a_time_sql;
use chrono::Duration;

const JOB_COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, last_error, run_at";

fn job_from_row(r: &SqliteRow) -> Result<Job> {
    Ok(Job {
        id: r.try_get("id").map_err(db)?,
        kind: r.try_get("kind").map_err(db)?,
        payload: serde_json::from_str(&r.try_get::<String, _>("payload").map_err(db)?)
            .unwrap_or_default(),
        state: r.try_get("state").map_err(db)?,
        attempts: r.try_get::<i64, _>("attempts").map_err(db)? as i32,
        max_attempts: r.try_get::<i64, _>("max_attempts").map_err(db)? as i32,
        last_error: r.try_get("last_error").map_err(db)?,
        run_at: parse_ts(&r.try_get::<String, _>("run_at").map_err(db)?)?,
    })
}

#[async_trait]
impl JobQueue for SqliteStore {
    async fn enqueue(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        run_at: DateTime<Utc>,
        unique: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "INSERT OR FAIL INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             SELECT ?1, ?2, 'queued', 0, ?3, ?4, ?5, ?5 {} RETURNING id",
            if unique { "WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = ?1 AND state = 'queued')" } else { "" }
        );
        let id = sqlx::query_scalar(&sql)
            .bind(kind)
            .bind(payload.to_string())
            .bind(DEFAULT_MAX_ATTEMPTS)
            .bind(ts(run_at))
            .bind(ts(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&format!(
            "UPDATE OR FAIL jobs SET state = 'running', attempts = attempts + 1, lease_until = ?1, locked_by = ?2, updated_at = ?3 \
             WHERE id IN (SELECT id FROM jobs j WHERE ((state = 'queued' AND run_at <= ?3) OR (state = 'running' AND lease_until < ?3)) AND {} \
             ORDER BY run_at, id LIMIT ?4) RETURNING {JOB_COLUMNS}",
            one_at_a_time_sql("?3")
        ))
        .bind(ts(now + lease))
        .bind(worker)
        .bind(ts(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut jobs: Vec<Job> = rows.iter().map(job_from_row).collect::<Result<_>>()?;
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    async fn complete(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE OR FAIL jobs SET state = 'done', lease_until = NULL, updated_at = ? WHERE id = ? AND locked_by = ? AND state = 'running'")
            .bind(ts(now))
            .bind(id)
            .bind(worker)
            .execute(&mut *tx)
            .await.map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
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
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT attempts, max_attempts FROM jobs WHERE id = ? AND locked_by = ? AND state = 'running'")
            .bind(id)
            .bind(worker)
            .fetch_optional(&mut *tx)
            .await.map_err(db)?;
        let Some(row) = row else {
            return Ok(JobFate::LeaseLost);
        };
        let (attempts, max): (i64, i64) = (
            row.try_get("attempts").map_err(db)?,
            row.try_get("max_attempts").map_err(db)?,
        );
        let fate = if attempts >= max || retry_at.is_none() {
            JobFate::Failed
        } else {
            JobFate::Retrying
        };
        sqlx::query(
            "UPDATE OR FAIL jobs SET state = ?, run_at = ?, last_error = ?, lease_until = NULL, locked_by = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(if fate == JobFate::Failed { "failed" } else { "queued" })
        .bind(ts(retry_at.unwrap_or(now)))
        .bind(error)
        .bind(ts(now))
        .bind(id)
        .execute(&mut *tx)
        .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(fate)
    }

    async fn retry_failed(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE OR FAIL jobs SET state = 'queued', attempts = 0, run_at = ?1, updated_at = ?1 WHERE id = ?2 AND state = 'failed'")
            .bind(ts(now))
            .bind(id)
            .execute(&mut *tx)
            .await.map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn job_counts(&self) -> Result<Vec<JobCount>> {
        let rows = sqlx::query(
            "SELECT kind, state, COUNT(*) AS n FROM jobs GROUP BY kind, state ORDER BY kind, state",
        )
        .fetch_all(&self.reader)
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
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = ? ORDER BY id LIMIT ?"
        ))
        .bind(state)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(job_from_row).collect()
    }
}
