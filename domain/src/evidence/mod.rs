//! Evidence for local plans: census populations, the key figures of a group of requests
//! (with censoring handled by Kaplan–Meier), small-cell suppression, and summaries broken down
//! by place, service, SDG target, channel, priority and period. Pure: the store supplies the
//! facts, this module counts.

pub mod ask;
pub mod cells;
pub mod export;
pub mod hotspots;
pub mod kpi;
pub mod open_data;
pub mod plan;
pub mod population;
pub mod summary;
pub mod survival;

pub use ask::{Ask, Reach};
pub use cells::{Cell, Shown, SHOWN_COLUMNS};
pub use export::{hotspots_geojson, needs_csv, summary_csv};
pub use kpi::{compute, Fact, Kpis};
pub use plan::{plan, Need, PlanInput, PlanSpec};
pub use population::Population;
pub use summary::{summarise, Dimension, Period, Row, SummarySpec};

/// The default small-cell threshold (`SAHULAT_MIN_CELL`).
pub const DEFAULT_MIN_CELL: u64 = 5;

#[cfg(test)]
mod tests;
