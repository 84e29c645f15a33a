//! Innovative actions: registered once (who and when recorded with them), listed for a
//! district or all, read by id for their evaluation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::error::{Error, Result};
use sahulat_domain::innovation::{InnovativeAction, NewInnovativeAction};

/// The store of innovative actions.
#[async_trait]
pub trait Innovation: Send + Sync {
    /// Stores a checked action registered by `by`.
    async fn create_action(
        &self,
        a: &NewInnovativeAction,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<InnovativeAction>;
    /// Actions of one district (all when `None`), latest start first.
    async fn actions(&self, district: Option<&str>) -> Result<Vec<InnovativeAction>>;
    /// One action.
    async fn action(&self, id: i64) -> Result<Option<InnovativeAction>>;
}

/// The columns both stores read, in order.
pub(crate) const ACTION_COLUMNS: &str =
    "id, title, district_code, tehsils, services, sdg_targets, \
    start_date, end_date, description, budget_pkr, expected_effect, created_by, created_at";

/// A JSON array of codes as stored.
pub(crate) fn codes_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A stored JSON array of codes.
pub(crate) fn codes(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s)
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored code list {s:?}: {e}")))
}
