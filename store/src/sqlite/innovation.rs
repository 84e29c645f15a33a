//! sqlite: innovative actions.

use super::*;
use crate::innovation::{codes, codes_json, ACTION_COLUMNS};
use crate::Innovation;
use chrono::NaiveDate;
use sahulat_domain::innovation::{InnovativeAction, NewInnovativeAction};

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored date {s:?}: {e}")))
}

fn action_from_row(r: &SqliteRow) -> Result<InnovativeAction> {
    let end: Option<String> = r.try_get("end_date").map_err(db)?;
    Ok(InnovativeAction {
        id: r.try_get("id").map_err(db)?,
        title: r.try_get("title").map_err(db)?,
        district: r.try_get("district_code").map_err(db)?,
        tehsils: codes(&r.try_get::<String, _>("tehsils").map_err(db)?)?,
        services: codes(&r.try_get::<String, _>("services").map_err(db)?)?,
        sdg_targets: codes(&r.try_get::<String, _>("sdg_targets").map_err(db)?)?,
        start: day(&r.try_get::<String, _>("start_date").map_err(db)?)?,
        end: end.as_deref().map(day).transpose()?,
        description: r.try_get("description").map_err(db)?,
        budget_pkr: r.try_get("budget_pkr").map_err(db)?,
        expected_effect: r.try_get("expected_effect").map_err(db)?,
        created_by: r.try_get("created_by").map_err(db)?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at").map_err(db)?)?,
    })
}

#[async_trait]
impl Innovation for SqliteStore {
    async fn create_action(
        &self,
        a: &NewInnovativeAction,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<InnovativeAction> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO innovative_actions (title, district_code, tehsils, services, sdg_targets, start_date, \
             end_date, description, budget_pkr, expected_effect, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {ACTION_COLUMNS}"
        ))
        .bind(&a.title)
        .bind(&a.district)
        .bind(codes_json(&a.tehsils))
        .bind(codes_json(&a.services))
        .bind(codes_json(&a.sdg_targets))
        .bind(a.start.format("%Y-%m-%d").to_string())
        .bind(a.end.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(&a.description)
        .bind(a.budget_pkr)
        .bind(&a.expected_effect)
        .bind(by)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let action = action_from_row(&row)?;
        tx.commit().await.map_err(db)?;
        Ok(action)
    }

    async fn actions(&self, district: Option<&str>) -> Result<Vec<InnovativeAction>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACTION_COLUMNS} FROM innovative_actions WHERE ?1 IS NULL OR district_code = ?1 \
             ORDER BY start_date DESC, id DESC"
        ))
        .bind(district)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(action_from_row).collect()
    }

    async fn action(&self, id: i64) -> Result<Option<InnovativeAction>> {
        let row = sqlx::query(&format!(
            "SELECT {ACTION_COLUMNS} FROM innovative_actions WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(action_from_row).transpose()
    }
}
