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
