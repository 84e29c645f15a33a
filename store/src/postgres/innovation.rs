//! postgres: innovative actions.

use super::*;
use crate::innovation::{codes, codes_json, ACTION_COLUMNS};
use crate::Innovation;
use sahulat_domain::innovation::{InnovativeAction, NewInnovativeAction};

fn action_from_row(r: &PgRow) -> Result<InnovativeAction> {
    Ok(InnovativeAction {
        id: r.try_get("id").map_err(db)?,
        title: r.try_get("title").map_err(db)?,
        district: r.try_get("district_code").map_err(db)?,
        tehsils: codes(&r.try_get::<String, _>("tehsils").map_err(db)?)?,
        services: codes(&r.try_get::<String, _>("services").map_err(db)?)?,
        sdg_targets: codes(&r.try_get::<String, _>("sdg_targets").map_err(db)?)?,
        start: r.try_get("start_date").map_err(db)?,
        end: r.try_get("end_date").map_err(db)?,
        description: r.try_get("description").map_err(db)?,
        budget_pkr: r.try_get("budget_pkr").map_err(db)?,
        expected_effect: r.try_get("expected_effect").map_err(db)?,
        created_by: r.try_get("created_by").map_err(db)?,
        created_at: r.try_get("created_at").map_err(db)?,
    })
}

#[async_trait]
impl Innovation for PgStore {
    async fn create_action(
        &self,
        a: &NewInnovativeAction,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<InnovativeAction> {
        let row = sqlx::query(&format!(
            "INSERT INTO innovative_actions (title, district_code, tehsils, services, sdg_targets, start_date, \
             end_date, description, budget_pkr, expected_effect, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {ACTION_COLUMNS}"
        ))
        .bind(&a.title)
        .bind(&a.district)
        .bind(codes_json(&a.tehsils))
        .bind(codes_json(&a.services))
        .bind(codes_json(&a.sdg_targets))
        .bind(a.start)
        .bind(a.end)
        .bind(&a.description)
        .bind(a.budget_pkr)
        .bind(&a.expected_effect)
        .bind(by)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        action_from_row(&row)
    }

    async fn actions(&self, district: Option<&str>) -> Result<Vec<InnovativeAction>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACTION_COLUMNS} FROM innovative_actions WHERE $1::text IS NULL OR district_code = $1 \
             ORDER BY start_date DESC, id DESC"
        ))
        .bind(district)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(action_from_row).collect()
    }

    async fn action(&self, id: i64) -> Result<Option<InnovativeAction>> {
        let row = sqlx::query(&format!(
            "SELECT {ACTION_COLUMNS} FROM innovative_actions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(action_from_row).transpose()
    }
}
