//! The evaluation of innovative actions (issue 12): difference-in-differences of the key
//! figures between the tehsils an action covers and comparison tehsils, with cluster-aware
//! intervals, pre-trend and placebo checks, and warnings instead of claims. Pure.
