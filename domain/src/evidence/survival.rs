//! Time-to-event figures with censoring: requests still open when a window ends have not
//! been resolved *yet*, so dropping them would flatter a slow department and counting them as
//! resolved at the window's end would too. The Kaplan–Meier product-limit estimator uses them
//! for as long as they were watched.

/// One request's observed time: `days` until the event, or until the window ended if the
/// event had not happened (`event == false`, censored).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Days from the start (the request's creation).
    pub days: f64,
    /// True if the event (acknowledged, resolved) was seen; false if censored.
    pub event: bool,
}

/// What the estimator says about a group of observations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Survival {
    /// Requests observed.
    pub n: u64,
    /// Of them, still waiting when the window ended.
    pub censored: u64,
    /// Kaplan–Meier median in days; `None` if fewer than half had the event in the window
    /// ("not reached").
    pub median_days: Option<f64>,
    /// Kaplan–Meier 90th percentile in days; `None` if not reached.
    pub p90_days: Option<f64>,
    /// Estimated share with the event within 30 days; `None` if no request was watched that
    /// long.
    pub within_30_days: Option<f64>,
}

/// The Kaplan–Meier estimate over `obs` (order does not matter).
pub fn kaplan_meier(obs: &[Observation]) -> Survival {
    let n = obs.len() as u64;
    let censored = obs.iter().filter(|o| !o.event).count() as u64;
    let mut sorted: Vec<Observation> = obs.to_vec();
    // At equal times events come before censorings (the usual convention).
    sorted.sort_by(|a, b| a.days.total_cmp(&b.days).then(b.event.cmp(&a.event)));
    let mut at_risk = sorted.len() as f64;
    let mut s = 1.0_f64;
    let (mut median, mut p90, mut s30) = (None, None, None);
    let max_watched = sorted.last().map(|o| o.days).unwrap_or(0.0);
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].days;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < sorted.len() && sorted[i].days == t {
            if sorted[i].event {
                events += 1.0;
            }
            leaving += 1.0;
            i += 1;
        }
        if t > 30.0 && s30.is_none() {
            s30 = Some(s);
        }
        if events > 0.0 && at_risk > 0.0 {
            s *= 1.0 - events / at_risk;
        }
        if median.is_none() && s <= 0.5 + 1e-12 && events > 0.0 {
            median = Some(t);
        }
        if p90.is_none() && s <= 0.1 + 1e-12 && events > 0.0 {
            p90 = Some(t);
        }
        at_risk -= leaving;
    }
    if s30.is_none() && max_watched >= 30.0 {
        s30 = Some(s);
    }
    Survival {
        n,
        censored,
        median_days: median,
        p90_days: p90,
        within_30_days: s30.map(|s| 1.0 - s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(days: f64) -> Observation {
        Observation { days, event: true }
    }
    fn cens(days: f64) -> Observation {
        Observation { days, event: false }
    }

    #[test]
    fn without_censoring_the_median_is_the_plain_median_event_time() {
        let s = kaplan_meier(&[ev(1.0), ev(2.0), ev(3.0), ev(4.0), ev(5.0)]);
        // S drops 0.8, 0.6, 0.4: the median is the first time S ≤ 0.5.
        assert_eq!(s.median_days, Some(3.0));
        assert_eq!(s.p90_days, Some(5.0));
        assert_eq!(s.censored, 0);
    }

    #[test]
    fn a_request_still_open_counts_while_watched_and_moves_the_median_later() {
        // Hand computation: times 1, 2, 3+ (censored), 4, 5.
        // S(1) = 4/5 = 0.8; S(2) = 0.8·3/4 = 0.6; at 3 one leaves censored (at risk 2);
        // S(4) = 0.6·1/2 = 0.3 → median 4 (dropping the open one would give 3).
        let s = kaplan_meier(&[ev(1.0), ev(2.0), cens(3.0), ev(4.0), ev(5.0)]);
        assert_eq!(s.median_days, Some(4.0));
        assert_eq!(s.censored, 1);
        assert_eq!(s.n, 5);
    }

    #[test]
    fn when_fewer_than_half_are_resolved_the_median_is_not_reached() {
        let s = kaplan_meier(&[ev(1.0), cens(10.0), cens(10.0), cens(10.0)]);
        assert_eq!(s.median_days, None);
        assert_eq!(s.p90_days, None);
    }

    #[test]
    fn the_thirty_day_share_is_estimated_only_when_someone_was_watched_that_long() {
        let short = kaplan_meier(&[ev(1.0), cens(5.0)]);
        assert_eq!(short.within_30_days, None);
        // 2 of 4 resolved within 30 days, the others watched for 40: S(30) = 0.5.
        let long = kaplan_meier(&[ev(2.0), ev(20.0), cens(40.0), ev(45.0)]);
        assert_eq!(long.within_30_days, Some(0.5));
    }

    #[test]
    fn no_observations_give_no_figures() {
        let s = kaplan_meier(&[]);
        assert_eq!((s.n, s.median_days, s.within_30_days), (0, None, None));
    }
}
