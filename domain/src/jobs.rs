//! The kinds of background work and their payloads, typed. The store keeps a job as a kind
//! name and a JSON payload; `Task::parse` reads them back, so a payload that cannot be read is
//! known at once (and fails for good) instead of being retried.

use serde::Deserialize;
use serde_json::{json, Value};

/// One unit of background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Triage a new request (enqueued with it, in the same transaction).
    Triage {
        /// The request's internal id.
        request_id: i64,
    },
    /// Deliver the pending outbox.
    Notify,
    /// Sweep overdue tickets and escalate them.
    Escalate,
    /// Tell every reporter of a resolved problem.
    Resolved {
        /// The resolved request's internal id.
        request_id: i64,
    },
    /// Daily housekeeping: prune what is only kept for a while, sweep orphan photo files.
    Retention,
    /// Repack the evidence facts of the days that changed since the last pass (PostgreSQL's
    /// fact blocks; nothing to do on SQLite).
    FactBlocks,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestRef {
    request_id: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nothing {}

impl Task {
    /// Every kind name, for messages.
    pub const KINDS: [&'static str; 6] = [
        "triage",
        "notify",
        "escalate",
        "resolved",
        "retention",
        "fact_blocks",
    ];

    /// Kinds that run one at a time: a queued one is not claimed while another of its kind
    /// holds a live lease. Two `notify` runs side by side (two workers) would read the same
    /// pending page and send each SMS twice; two sweeps would do the same work twice.
    pub const ONE_AT_A_TIME: [&'static str; 4] = ["notify", "escalate", "retention", "fact_blocks"];

    /// The stored kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            Task::Triage { .. } => "triage",
            Task::Notify => "notify",
            Task::Escalate => "escalate",
            Task::Resolved { .. } => "resolved",
            Task::Retention => "retention",
            Task::FactBlocks => "fact_blocks",
        }
    }

    /// The stored payload.
    pub fn payload(&self) -> Value {
        match self {
            Task::Triage { request_id } | Task::Resolved { request_id } => {
                json!({ "request_id": request_id })
            }
            Task::Notify | Task::Escalate | Task::Retention | Task::FactBlocks => json!({}),
        }
    }

    /// Reads a stored job; the error says what is wrong with it.
    pub fn parse(kind: &str, payload: &Value) -> Result<Task, String> {
        let bad =
            |e: serde_json::Error| format!("{kind} job with an unreadable payload {payload}: {e}");
        let request_id = || {
            RequestRef::deserialize(payload)
                .map(|r| r.request_id)
                .map_err(bad)
        };
        let nothing = || Nothing::deserialize(payload).map_err(bad);
        match kind {
            "triage" => Ok(Task::Triage {
                request_id: request_id()?,
            }),
            "resolved" => Ok(Task::Resolved {
                request_id: request_id()?,
            }),
            "notify" => nothing().map(|_| Task::Notify),
            "escalate" => nothing().map(|_| Task::Escalate),
            "retention" => nothing().map(|_| Task::Retention),
            "fact_blocks" => nothing().map(|_| Task::FactBlocks),
            other => Err(format!(
                "unknown job kind {other:?} (known: {})",
                Task::KINDS.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_reads_back_from_its_kind_and_payload() {
        for t in [
            Task::Triage { request_id: 7 },
            Task::Notify,
            Task::Escalate,
            Task::Resolved { request_id: 9 },
            Task::Retention,
            Task::FactBlocks,
        ] {
            assert_eq!(Task::parse(t.kind(), &t.payload()), Ok(t));
        }
    }

    #[test]
    fn a_payload_without_its_request_id_or_with_strangers_is_refused() {
        let e = Task::parse("triage", &json!({})).unwrap_err();
        assert!(e.contains("request_id"), "{e}");
        assert!(Task::parse("triage", &json!({"request_id": "7"})).is_err());
        assert!(Task::parse("notify", &json!({"x": 1})).is_err());
        let e = Task::parse("bogus", &json!({})).unwrap_err();
        assert!(e.contains("unknown job kind"), "{e}");
    }
}
