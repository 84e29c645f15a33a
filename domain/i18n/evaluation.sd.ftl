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
