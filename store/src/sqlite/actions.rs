//! sqlite: the ticket's `UPDATE` for department and citizen actions (`write_actions` in
//! `tickets.rs` writes their history, messages and jobs). Each `UPDATE` names only the columns
//! its action changes, and actions of one shape share a statement.

use super::sizes::push_padded;
use super::*;
use sahulat_domain::lifecycle::ActionWrite;

/// Rows per `action_updates` statement (eight values a row: SQLite allows 32,766 variables a
/// statement).
const ACTION_ROWS: usize = 1000;

/// The tickets' updates of a batch of actions, each at its own time: one statement per shape
/// when every ticket is named once and none is a duplicate, else one by one in order.
pub(super) async fn updates(
    tx: &mut WriteTx,
    actions: &[(&ActionWrite, String)],
) -> Result<Vec<bool>> {
    let mut seen = std::collections::HashSet::new();
    if actions
        .iter()
        .all(|(w, _)| w.duplicate_of.is_none() && seen.insert(w.request_id))
    {
        action_updates(tx, actions).await
    } else {
        action_updates_one_by_one(tx, actions).await
    }
}

/// The ticket's UPDATE for an action. It sets only the columns the action changes: SQLite
/// rewrites the entry of every index on a column named in `SET`, even to the same value, so
/// naming `closed_at` or `department_code` for an acknowledgement rewrote eight of the
/// table's indexes instead of four (`BENCHMARKS.md`, "The simulator: a day per transaction").
fn action_update<'a>(w: &'a ActionWrite, now_s: &'a str) -> QueryBuilder<'a, Sqlite> {
    let mut b = QueryBuilder::<Sqlite>::new("UPDATE OR FAIL service_requests SET status = ");
    b.push_bind(w.to.as_str());
    b.push(", updated_at = ").push_bind(now_s);
    if let Some(dept) = &w.department {
        b.push(", department_code = ").push_bind(dept);
    }
    if let Some(original) = w.duplicate_of {
        b.push(", duplicate_of = ").push_bind(original);
    }
    if let Some(r) = w.restart_sla {
        // A reopened ticket: a fresh SLA from now, acknowledgement and escalation cleared.
        b.push(", acknowledged_at = NULL, ack_due_at = ")
            .push_bind(ts(r.ack_due_at));
        b.push(", sla_due_at = ").push_bind(ts(r.sla_due_at));
        b.push(", escalation_level = 0, sla_started_at = ")
            .push_bind(now_s);
    } else if matches!(w.to, Status::Acknowledged | Status::InProgress) {
        b.push(", acknowledged_at = COALESCE(acknowledged_at, ")
            .push_bind(now_s)
            .push(")");
    }
    if !w.to.is_open() {
        b.push(", closed_at = ").push_bind(now_s);
    } else if !w.from.is_open() {
        // Reopened: an open ticket has no closing time.
        b.push(", closed_at = NULL");
    }
    if w.to.is_response() {
        b.push(", responded_at = COALESCE(responded_at, ")
            .push_bind(now_s)
            .push(")");
    }
    if w.is_reopen() {
        b.push(", reopen_count = reopen_count + 1");
    }
    b.push(" WHERE id = ").push_bind(w.request_id);
    b.push(" AND status = ").push_bind(w.from.as_str());
    if let Some(closed) = w.closed_at {
        b.push(" AND closed_at = ").push_bind(ts(closed));
    }
    b
}

/// The tickets' updates of `write_actions` one statement each, in order (a ticket named twice,
/// or a duplicate whose original gains a reporter).
async fn action_updates_one_by_one(
    tx: &mut WriteTx,
    actions: &[(&ActionWrite, String)],
) -> Result<Vec<bool>> {
    let mut out = Vec::with_capacity(actions.len());
    for (w, now_s) in actions {
        let n = action_update(w, now_s)
            .build()
            .execute(&mut **tx)
            .await
            .map_err(db)?
            .rows_affected();
        if n > 0 {
            if let Some(original) = w.duplicate_of {
                sqlx::query(
                    "UPDATE OR FAIL service_requests SET reporters = reporters + 1, updated_at = ? WHERE id = ?",
                )
                .bind(now_s)
                .bind(original)
                .execute(&mut **tx)
                .await
                .map_err(db)?;
            }
        }
        out.push(n > 0);
    }
    Ok(out)
}

/// Which columns an action's UPDATE names (`action_update`): actions of one shape share a
/// statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    department: bool,
    restart_sla: bool,
    acknowledge: bool,
    close: bool,
    unclose: bool,
    respond: bool,
    reopen: bool,
}

impl Shape {
    fn of(w: &ActionWrite) -> Self {
        Shape {
            department: w.department.is_some(),
            restart_sla: w.restart_sla.is_some(),
            acknowledge: matches!(w.to, Status::Acknowledged | Status::InProgress),
            close: !w.to.is_open(),
            unclose: w.to.is_open() && !w.from.is_open(),
            respond: w.to.is_response(),
            reopen: w.is_reopen(),
        }
    }

    /// `action_update`'s `SET` list, its values taken from the row `v` of the batch.
    fn set_list(self) -> String {
        let mut set = String::from("status = v.to_status, updated_at = v.at");
        if self.department {
            set.push_str(", department_code = v.department");
        }
        if self.restart_sla {
            set.push_str(
                ", acknowledged_at = NULL, ack_due_at = v.ack_due_at, sla_due_at = v.sla_due_at, \
                 escalation_level = 0, sla_started_at = v.at",
            );
        } else if self.acknowledge {
            set.push_str(", acknowledged_at = COALESCE(service_requests.acknowledged_at, v.at)");
        }
        if self.close {
            set.push_str(", closed_at = v.at");
        } else if self.unclose {
            set.push_str(", closed_at = NULL");
        }
        if self.respond {
            set.push_str(", responded_at = COALESCE(service_requests.responded_at, v.at)");
        }
        if self.reopen {
            set.push_str(", reopen_count = service_requests.reopen_count + 1");
        }
        set
    }
}

/// The tickets' updates of `write_actions` (each ticket once, none a duplicate) in one
/// statement per shape of `UPDATE`: a statement per action was a round trip each, and inside a
/// transaction every statement journals each page it changes again, so a hot index page was
/// copied once per action (BENCHMARKS.md, "The simulator: fewer statements"). Each row keeps
/// its own guard (the status the actor saw, and the closing a rating's reopen answers).
async fn action_updates(tx: &mut WriteTx, actions: &[(&ActionWrite, String)]) -> Result<Vec<bool>> {
    let mut shapes: Vec<(Shape, Vec<&(&ActionWrite, String)>)> = Vec::new();
    for a in actions {
        let shape = Shape::of(a.0);
        match shapes.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, rows)) => rows.push(a),
            None => shapes.push((shape, vec![a])),
        }
    }
    let mut written = std::collections::HashSet::new();
    for (shape, rows) in &shapes {
        for chunk in rows.chunks(ACTION_ROWS) {
            let mut b = QueryBuilder::<Sqlite>::new(
                "WITH v(id, to_status, at, department, ack_due_at, sla_due_at, from_status, closed) AS (",
            );
            push_padded(&mut b, chunk, ACTION_ROWS, 8, |row, (w, at)| {
                row.push_bind(w.request_id)
                    .push_bind(w.to.as_str())
                    .push_bind(at.as_str())
                    .push_bind(w.department.as_deref())
                    .push_bind(w.restart_sla.map(|r| ts(r.ack_due_at)))
                    .push_bind(w.restart_sla.map(|r| ts(r.sla_due_at)))
                    .push_bind(w.from.as_str())
                    .push_bind(w.closed_at.map(ts));
            });
            b.push(format!(
                ") UPDATE OR FAIL service_requests SET {} FROM v WHERE service_requests.id = v.id \
                 AND service_requests.status = v.from_status \
                 AND (v.closed IS NULL OR service_requests.closed_at = v.closed) \
                 RETURNING service_requests.id",
                shape.set_list()
            ));
            for r in b.build().fetch_all(&mut **tx).await.map_err(db)? {
                written.insert(r.try_get::<i64, _>("id").map_err(db)?);
            }
        }
    }
    Ok(actions
        .iter()
        .map(|(w, _)| written.contains(&w.request_id))
        .collect())
}
