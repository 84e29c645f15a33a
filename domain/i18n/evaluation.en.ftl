# Evaluation of innovative actions (issue 12): readings, warnings, KPI names.
# Numbers arrive formatted: days and percentage points with one decimal.

eval-kpi-requests-per-10k = Requests per 10,000 residents a month
eval-kpi-mean-days-to-resolve = Mean time to resolve
eval-kpi-median-days-to-resolve = Median time to resolve
eval-kpi-sla-compliance = SLA compliance
eval-kpi-reopen-rate = Reopen rate
eval-kpi-satisfied-share = Share of satisfied citizens

eval-unit-days = days
eval-unit-points = percentage points
eval-unit-per-10k = requests per 10,000 residents

eval-group-treated = action
eval-group-comparison = comparison
eval-window-baseline = baseline
eval-window-follow-up = follow-up

eval-method-cluster-bootstrap = tehsils resampled within each group (cluster bootstrap)
eval-method-request-bootstrap = requests resampled within each tehsil (fallback: too few tehsils)
eval-method-none = no interval

eval-reading-fell = { $kpi } fell by { $value } { $unit } (95% CI { $low } to { $high }) more than in the comparison tehsils.
eval-reading-rose = { $kpi } rose by { $value } { $unit } (95% CI { $low } to { $high }) more than in the comparison tehsils.
eval-reading-unclear = No clear change: { $kpi } changed by { $value } { $unit } (95% CI { $low } to { $high }) relative to the comparison tehsils; the data are consistent with no effect.
eval-reading-caution = Caution: { $warning } { $kpi } changed by { $value } { $unit } (95% CI { $low } to { $high }) relative to the comparison tehsils, but this should not be read as the action's effect.
eval-reading-none = { $kpi }: no estimate. { $warning }
eval-reading-none-plain = { $kpi }: no estimate could be made from these data.

eval-warn-too-few-requests = Fewer than { $min } requests in the { $group } tehsils during the { $window }: the figure is withheld.
eval-warn-too-few-tehsils = Only { $treated } action and { $comparison } comparison tehsils have requests (resampling tehsils needs at least { $min } in each group): requests are resampled within tehsils instead, which ignores shocks that hit a whole tehsil, so the interval is probably too narrow.
eval-warn-unbalanced-windows = The baseline has { $baseline } days of data and the follow-up { $followup }: seasons and trends may not balance out.
eval-warn-diverging-pre-trends = Before the start the two groups were already drifting apart ({ $value } { $unit } per 30 days, 95% CI { $low } to { $high }).
eval-warn-comparison-has-action = Comparison tehsils { $tehsils } had their own action ({ $actions }) during the windows.
eval-warn-treated-has-other-action = The action's tehsils { $tehsils } also had another action ({ $actions }) during the windows.
eval-warn-censoring = { $share }% of follow-up requests were received less than { $cap } days before the data end and are not yet counted in the times to resolve.
eval-warn-placebo-significant = A fake start on { $date }, inside the baseline, already shows a change ({ $value } { $unit }, 95% CI { $low } to { $high }).
eval-warn-population-unknown = No population figure for { $tehsils }: they are left out of requests per 10,000 residents.
eval-warn-median-above-cap = Half or more of the requests took { $cap } days or longer: the median cannot be estimated.
eval-warn-unstable-interval = Only { $share }% of resamples could be used: the interval is withheld.

# The action's page on the dashboard and its printable report.
ac-list = Innovative actions
ac-title = Action
ac-none = No innovative action is registered in your reach yet.
ac-register = Coordinators and evaluators register an action with `sahulat action create` or POST /api/v1/actions; it then appears here with its evaluation.
ac-back = Back to the evidence dashboard
ac-missing = No such action in your reach.
ac-not-yet = “{ $title }” starts on { $start }. An evaluation needs at least a week of requests after the start; come back then.
ac-doc-title = Sahulat: evaluation of an innovative action
ac-generated = Prepared by Sahulat on { $date } from the requests in its database.
ac-tehsils = Tehsils
ac-services = Services concerned
ac-all-services = all services
ac-start = Start
ac-end = End
ac-ongoing = still running
ac-budget = Budget (PKR)
ac-expected = Expected effect
ac-description = What was done
ac-design = How it is compared
ac-design-note = The change in the action's tehsils ({ $treated }) is compared with the change over the same dates in { $n } comparison tehsils: the difference of the two changes is the estimate (difference in differences).
ac-baseline = Baseline
ac-follow-up = Follow-up
ac-window = { $start } to { $end }
ac-as-of = Outcomes are counted up to { $date }.
ac-comparison-tehsils = Comparison tehsils
ac-action-tehsils = Action tehsils
ac-results = Results
ac-kpi = Key figure
ac-estimate = Estimated change
ac-ci = 95% interval
ac-n-treated = Requests, action tehsils
ac-n-comparison = Requests, comparison tehsils
ac-reading = What it says
ac-how = How to read this: the estimator, the bootstrap interval, the windows, the checks and what may and may not be concluded are written down in docs/evaluation.md. A warning means the figure must not be read as the action's effect.
ac-chart = { $kpi } by 30-day period, action and comparison tehsils; the dashed red line is the start
ac-chart-note = Periods marked * are after the start. A gap in a line is a period with too few requests to show.
ac-period = Period from
ac-tehsils-with-requests = Tehsils with requests (baseline / follow-up)
ac-pre-trend-parallel = Pre-trend check: over { $periods } baseline periods the gap between the groups moved by { $value } { $unit } per 30 days (95% CI { $low } to { $high }); no sign that they were drifting apart.
ac-pre-trend-diverging = Pre-trend check: over { $periods } baseline periods the gap between the groups moved by { $value } { $unit } per 30 days (95% CI { $low } to { $high }): they were already drifting apart before the start.
ac-pre-trend-none = Pre-trend check: too few baseline periods with data to check.
ac-placebo-clear = Placebo: a fake start on { $date }, inside the baseline, shows { $value } { $unit } (95% CI { $low } to { $high }); no change where none should be.
ac-placebo-significant = Placebo: a fake start on { $date }, inside the baseline, already shows { $value } { $unit } (95% CI { $low } to { $high }): something other than the action moves this figure.
ac-placebo-none = Placebo: too little baseline data for a fake start.
ac-method = Interval: { $method }; { $resamples } resamples, seed { $seed }.
ac-windows = Other windows
ac-baseline-days = Baseline (days, 7–730)
ac-follow-up-days = Follow-up (days, 7–730)
ac-window-range = Windows must be 7 to 730 days long; the default windows are shown.
ac-csv = Download this evaluation (CSV)
