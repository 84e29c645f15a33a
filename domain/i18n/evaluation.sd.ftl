# Evaluation of innovative actions (issue 12): readings, warnings, KPI names.
# Numbers arrive formatted: days and percentage points with one decimal.

eval-kpi-requests-per-10k = في 10,000 رهاڪن مهيني جون درخواستون
eval-kpi-mean-days-to-resolve = حل ٿيڻ جو سراسري وقت
eval-kpi-median-days-to-resolve = حل ٿيڻ جو وچولو (ميڊين) وقت
eval-kpi-sla-compliance = مقرر وقت (SLA) جي پابندي
eval-kpi-reopen-rate = ٻيهر کوليل درخواستن جي شرح
eval-kpi-satisfied-share = مطمئن شهرين جو تناسب

eval-unit-days = ڏينهن
eval-unit-points = سيڪڙو پوائنٽ
eval-unit-per-10k = درخواستون في 10,000 رهاڪو

eval-group-treated = قدم واريون
eval-group-comparison = ڀيٽ واريون
eval-window-baseline = شروعاتي عرصي (بيس لائين)
eval-window-follow-up = بعد واري عرصي (فالو اپ)

eval-method-cluster-bootstrap = هر گروپ ۾ تحصيلن جي ٻيهر نموني چونڊ (ڪلسٽر بوٽ اسٽريپ)
eval-method-request-bootstrap = هر تحصيل اندر درخواستن جي ٻيهر نموني چونڊ (متبادل: تحصيلون تمام گهٽ آهن)
eval-method-none = ڪو وقفو ناهي

eval-reading-fell = ڀيٽ واري تحصيلن جي مقابلي ۾ { $kpi } ۾ { $value } { $unit } وڌيڪ گهٽتائي آئي (95% اعتماد وقفو { $low } کان { $high }).
eval-reading-rose = ڀيٽ واري تحصيلن جي مقابلي ۾ { $kpi } ۾ { $value } { $unit } وڌيڪ واڌارو آيو (95% اعتماد وقفو { $low } کان { $high }).
eval-reading-unclear = ڪا واضح تبديلي ناهي: ڀيٽ واري تحصيلن جي مقابلي ۾ { $kpi } ۾ { $value } { $unit } جي تبديلي آئي (95% اعتماد وقفو { $low } کان { $high })؛ انگ اکر ڪنهن به اثر نه هجڻ سان ٺهڪي اچن ٿا.
eval-reading-caution = احتياط: { $warning } ڀيٽ واري تحصيلن جي مقابلي ۾ { $kpi } ۾ { $value } { $unit } جي تبديلي آئي (95% اعتماد وقفو { $low } کان { $high })، پر ان کي قدم جو اثر نه سمجهيو وڃي.
eval-reading-none = { $kpi }: ڪو اندازو ناهي. { $warning }
eval-reading-none-plain = { $kpi }: انهن انگن اکرن مان ڪو اندازو نه لڳائي سگهياسين.

eval-warn-too-few-requests = { $window } ۾ { $group } تحصيلن جون درخواستون { $min } کان گهٽ آهن: اهو انگ ظاهر نه ڪيو ويو آهي.
eval-warn-too-few-tehsils = رڳو { $treated } قدم واريون ۽ { $comparison } ڀيٽ واريون تحصيلون درخواستن سان آهن (تحصيلن جي ٻيهر نموني چونڊ لاءِ هر گروپ ۾ گهٽ ۾ گهٽ { $min } گهرجن): تنهنڪري تحصيلن اندر درخواستن جي ٻيهر نموني چونڊ ڪئي وئي آهي، جيڪا سڄي تحصيل کي متاثر ڪندڙ واقعن کي نظرانداز ڪري ٿي، تنهنڪري وقفو شايد تمام سوڙهو آهي.
eval-warn-unbalanced-windows = شروعاتي عرصي ۾ { $baseline } ڏينهن ۽ بعد واري عرصي ۾ { $followup } ڏينهن جا انگ اکر آهن: موسم ۽ رجحان شايد برابر نه هجن.
eval-warn-diverging-pre-trends = شروعات کان اڳ ئي ٻئي گروپ هڪ ٻئي کان پري ٿي رهيا هئا (هر 30 ڏينهن ۾ { $value } { $unit }، 95% اعتماد وقفو { $low } کان { $high }).
eval-warn-comparison-has-action = ڀيٽ واري تحصيلن { $tehsils } ۾ انهن ئي عرصن دوران سندن پنهنجو قدم ({ $actions }) هلي رهيو هو.
eval-warn-treated-has-other-action = قدم واري تحصيلن { $tehsils } ۾ انهن ئي عرصن دوران هڪ ٻيو قدم ({ $actions }) به هلي رهيو هو.
eval-warn-censoring = بعد واري عرصي جون { $share }% درخواستون انگن اکرن جي آخر کان { $cap } ڏينهن کان گهٽ اڳ مليون ۽ اڃا حل ٿيڻ جي وقت ۾ شمار نه ڪيون ويون آهن.
eval-warn-placebo-significant = شروعاتي عرصي اندر هڪ فرضي شروعات ({ $date }) تي به تبديلي نظر اچي ٿي ({ $value } { $unit }، 95% اعتماد وقفو { $low } کان { $high }).
eval-warn-population-unknown = { $tehsils } جي آبادي جو انگ موجود ناهي: انهن کي في 10,000 رهاڪن درخواستن ۾ شامل نه ڪيو ويو آهي.
eval-warn-median-above-cap = اڌ يا ان کان وڌيڪ درخواستن ۾ { $cap } ڏينهن يا ان کان وڌيڪ لڳا: ميڊين جو اندازو نه ٿو لڳائي سگهجي.
eval-warn-unstable-interval = رڳو { $share }% ٻيهر نمونا ڪم آيا: وقفو ظاهر نه ڪيو ويو آهي.

# The action's page on the dashboard and its printable report.
ac-list = جدت وارا قدم
ac-title = قدم
ac-none = اوهان جي دائري ۾ اڃا ڪو جدت وارو قدم درج ناهي.
ac-register = ڪوآرڊينيٽر ۽ جائزو وٺندڙ `sahulat action create` يا POST /api/v1/actions سان قدم درج ڪن ٿا؛ پوءِ اهو پنهنجي جائزي سان هتي نظر اچي ٿو.
ac-back = شاهدين واري ڊيش بورڊ ڏانهن واپس
ac-missing = اوهان جي دائري ۾ اهڙو ڪو قدم ناهي.
ac-not-yet = “{ $title }” { $start } تي شروع ٿئي ٿو. جائزي لاءِ شروعات کان پوءِ گهٽ ۾ گهٽ هڪ هفتي جون درخواستون گهرجن؛ تڏهن وري ڏسو.
ac-doc-title = سهولت: هڪ جدت واري قدم جو جائزو
ac-generated = سهولت { $date } تي پنهنجي ڊيٽابيس جي درخواستن مان تيار ڪيو.
ac-tehsils = تحصيلون
ac-services = لاڳاپيل سروسز
ac-all-services = سڀ سروسز
ac-start = شروعات
ac-end = پڄاڻي
ac-ongoing = اڃا جاري
ac-budget = بجيٽ (رپيا)
ac-expected = متوقع اثر
ac-description = ڇا ڪيو ويو
ac-design = ڀيٽ ڪيئن ڪئي وئي
ac-design-note = قدم واري تحصيلن ({ $treated }) ۾ تبديلي جي ڀيٽ انهن ئي تاريخن ۾ { $n } ڀيٽ واري تحصيلن جي تبديلي سان ڪئي وئي آهي: ٻنهي تبديلين جو فرق اندازو آهي (فرق ۾ فرق).
ac-baseline = شروعاتي عرصو
ac-follow-up = بعد وارو عرصو
ac-window = { $start } کان { $end }
ac-as-of = نتيجا { $date } تائين ڳڻيا ويا آهن.
ac-comparison-tehsils = ڀيٽ واريون تحصيلون
ac-action-tehsils = قدم واريون تحصيلون
ac-results = نتيجا
ac-kpi = اهم انگ
ac-estimate = اندازي مطابق تبديلي
ac-ci = 95% وقفو
ac-n-treated = درخواستون، قدم واريون تحصيلون
ac-n-comparison = درخواستون، ڀيٽ واريون تحصيلون
ac-reading = ان جو مطلب
ac-how = هن کي ڪيئن پڙهجي: اندازي جو طريقو، بوٽ اسٽريپ وقفو، عرصا، جانچون ۽ ڪهڙو نتيجو ڪڍي سگهجي ٿو ۽ ڪهڙو نه، اهو سڀ docs/evaluation.md ۾ لکيل آهي. خبرداري جو مطلب آهي ته هن انگ کي قدم جو اثر نه سمجهيو وڃي.
ac-chart = { $kpi } هر 30 ڏينهن جي عرصي ۾، قدم واريون ۽ ڀيٽ واريون تحصيلون؛ ڳاڙهي ٽٽل ليڪ شروعات آهي
ac-chart-note = * وارا عرصا شروعات کان پوءِ جا آهن. ليڪ ۾ خال ان عرصي کي ڏيکاري ٿو جنهن ۾ ڏيکارڻ لاءِ تمام گهٽ درخواستون هيون.
ac-period = عرصي جي شروعات
ac-tehsils-with-requests = درخواستن واريون تحصيلون (شروعاتي / بعد وارو عرصو)
ac-pre-trend-parallel = اڳ واري رجحان جي جانچ: شروعاتي عرصي جي { $periods } حصن ۾ گروپن جو فرق هر 30 ڏينهن ۾ { $value } { $unit } بدليو (95% اعتماد وقفو { $low } کان { $high })؛ انهن جي الڳ ٿيڻ جو ڪو اشارو ناهي.
ac-pre-trend-diverging = اڳ واري رجحان جي جانچ: شروعاتي عرصي جي { $periods } حصن ۾ گروپن جو فرق هر 30 ڏينهن ۾ { $value } { $unit } بدليو (95% اعتماد وقفو { $low } کان { $high }): اهي شروعات کان اڳ ئي الڳ ٿي رهيا هئا.
ac-pre-trend-none = اڳ واري رجحان جي جانچ: جانچ لاءِ شروعاتي عرصي ۾ ڊيٽا وارا حصا تمام گهٽ آهن.
ac-placebo-clear = فرضي شروعات جي جانچ: شروعاتي عرصي اندر { $date } جي فرضي شروعات { $value } { $unit } ڏيکاري ٿي (95% اعتماد وقفو { $low } کان { $high })؛ جتي تبديلي نه هئڻ گهرجي اتي ناهي.
ac-placebo-significant = فرضي شروعات جي جانچ: شروعاتي عرصي اندر { $date } جي فرضي شروعات اڳ ئي { $value } { $unit } ڏيکاري ٿي (95% اعتماد وقفو { $low } کان { $high }): قدم کان سواءِ ڪا ٻي شيءِ هن انگ کي بدلائي رهي آهي.
ac-placebo-none = فرضي شروعات جي جانچ: شروعاتي عرصي جو ڊيٽا تمام گهٽ آهي.
ac-method = وقفو: { $method }؛ { $resamples } ٻيهر نمونا، ٻج { $seed }.
ac-windows = ٻيا عرصا
ac-baseline-days = شروعاتي عرصو (ڏينهن، 7 کان 730)
ac-follow-up-days = بعد وارو عرصو (ڏينهن، 7 کان 730)
ac-window-range = عرصا 7 کان 730 ڏينهن جا هجڻ گهرجن؛ طئي ٿيل عرصا ڏيکاريا ويا آهن.
ac-csv = هي جائزو ڊائون لوڊ ڪريو (CSV)
