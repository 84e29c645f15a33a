//! The small closed vocabularies of a request — lifecycle status, priority, channel — each
//! with its wire spelling, the list of accepted values for error messages, and (for statuses)
//! the Open311 and FixMyStreet equivalents.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored/wire spelling.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            /// Parses the stored/wire spelling.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some($name::$variant),)+ _ => None } }
            /// All spellings, comma-separated, for error messages.
            pub fn accepted() -> String { [$($s),+].join(", ") }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum! {
    /// Lifecycle status of a request (DESIGN.md, "Statuses").
    Status {
        /// Received, not yet triaged.
        Submitted = "submitted",
        /// Triaged and routed.
        Open = "open",
        /// A department has seen it.
        Acknowledged = "acknowledged",
        /// Work has started.
        InProgress = "in_progress",
        /// Sent to another department.
        Referred = "referred",
        /// Fixed.
        Resolved = "resolved",
        /// Closed with no further action (reason required).
        ClosedNotFixed = "closed_not_fixed",
        /// No body in Sahulat is responsible.
        NotResponsible = "not_responsible",
        /// Same problem as another request.
        Duplicate = "duplicate",
        /// Spam or abuse.
        Rejected = "rejected",
    }
}

impl Status {
    /// Open311 `open` (true) or `closed` (false).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted
                | Status::Open
                | Status::Acknowledged
                | Status::InProgress
                | Status::Referred
        )
    }
    /// A department's response to a ticket (for "days to acknowledge"): acknowledging,
    /// starting, referring or closing with an answer. Merging and rejecting are not.
    pub fn is_response(self) -> bool {
        matches!(
            self,
            Status::Acknowledged
                | Status::InProgress
                | Status::Referred
                | Status::Resolved
                | Status::ClosedNotFixed
                | Status::NotResponsible
        )
    }
    /// The Open311 status word.
    pub fn open311(self) -> &'static str {
        if self.is_open() {
            "open"
        } else {
            "closed"
        }
    }
    /// The extended status used by FixMyStreet's Open311 update extension.
    pub fn extended(self) -> &'static str {
        match self {
            Status::Submitted | Status::Open => "OPEN",
            Status::Acknowledged => "INVESTIGATING",
            Status::InProgress => "IN_PROGRESS",
            Status::Referred => "INTERNAL_REFERRAL",
            Status::Resolved => "FIXED",
            Status::ClosedNotFixed => "NO_FURTHER_ACTION",
            Status::NotResponsible => "NOT_COUNCILS_RESPONSIBILITY",
            Status::Duplicate => "DUPLICATE",
            Status::Rejected => "CLOSED",
        }
    }
}

/// Statuses a request can be escalated or duplicated against (Open311 `open`).
pub const OPEN_STATUSES: [Status; 5] = [
    Status::Submitted,
    Status::Open,
    Status::Acknowledged,
    Status::InProgress,
    Status::Referred,
];

string_enum! {
    /// How urgent a request is.
    Priority {
        /// Can wait.
        Low = "low",
        /// Ordinary.
        Normal = "normal",
        /// Affects many people or a facility.
        High = "high",
        /// A hazard to life or health.
        Urgent = "urgent",
    }
}

string_enum! {
    /// How a request reached Sahulat.
    Channel {
        /// The citizen web page.
        Web = "web",
        /// A feature phone over USSD.
        Ussd = "ussd",
        /// An Open311 GeoReport v2 client.
        Open311 = "open311",
        /// The native JSON API.
        Api = "api",
        /// Entered by staff (e.g. from a phone call).
        Staff = "staff",
    }
}
