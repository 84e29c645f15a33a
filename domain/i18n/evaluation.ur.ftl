# Evaluation of innovative actions (issue 12): readings, warnings, KPI names.
# Numbers arrive formatted: days and percentage points with one decimal.

eval-kpi-requests-per-10k = فی 10,000 باشندگان ماہانہ درخواستیں
eval-kpi-mean-days-to-resolve = حل ہونے کا اوسط وقت
eval-kpi-median-days-to-resolve = حل ہونے کا درمیانی (میڈین) وقت
eval-kpi-sla-compliance = مقررہ وقت (SLA) کی پابندی
eval-kpi-reopen-rate = دوبارہ کھولی گئی درخواستوں کی شرح
eval-kpi-satisfied-share = مطمئن شہریوں کا تناسب

eval-unit-days = دن
eval-unit-points = فیصد پوائنٹس
eval-unit-per-10k = درخواستیں فی 10,000 باشندگان

eval-group-treated = اقدام والی
eval-group-comparison = تقابلی
eval-window-baseline = ابتدائی مدت (بیس لائن)
eval-window-follow-up = بعد کی مدت (فالو اپ)

eval-method-cluster-bootstrap = ہر گروپ میں تحصیلوں کی دوبارہ نمونہ گیری (کلسٹر بوٹ اسٹریپ)
eval-method-request-bootstrap = ہر تحصیل کے اندر درخواستوں کی دوبارہ نمونہ گیری (متبادل: تحصیلیں بہت کم ہیں)
eval-method-none = کوئی وقفہ نہیں

eval-reading-fell = { $kpi } میں تقابلی تحصیلوں کے مقابلے میں { $value } { $unit } زیادہ کمی آئی (95% اعتماد وقفہ { $low } تا { $high })۔
eval-reading-rose = { $kpi } میں تقابلی تحصیلوں کے مقابلے میں { $value } { $unit } زیادہ اضافہ ہوا (95% اعتماد وقفہ { $low } تا { $high })۔
eval-reading-unclear = کوئی واضح تبدیلی نہیں: تقابلی تحصیلوں کے مقابلے میں { $kpi } میں { $value } { $unit } کی تبدیلی آئی (95% اعتماد وقفہ { $low } تا { $high })؛ اعداد و شمار کسی اثر کے نہ ہونے سے مطابقت رکھتے ہیں۔
eval-reading-caution = احتیاط: { $warning } تقابلی تحصیلوں کے مقابلے میں { $kpi } میں { $value } { $unit } کی تبدیلی آئی (95% اعتماد وقفہ { $low } تا { $high })، لیکن اسے اقدام کا اثر نہ سمجھا جائے۔
eval-reading-none = { $kpi }: کوئی تخمینہ نہیں۔ { $warning }
eval-reading-none-plain = { $kpi }: ان اعداد و شمار سے کوئی تخمینہ نہیں لگایا جا سکا۔

eval-warn-too-few-requests = { $window } میں { $group } تحصیلوں کی درخواستیں { $min } سے کم ہیں: یہ عدد ظاہر نہیں کیا گیا۔
eval-warn-too-few-tehsils = صرف { $treated } اقدام والی اور { $comparison } تقابلی تحصیلوں میں درخواستیں ہیں (تحصیلوں کی دوبارہ نمونہ گیری کے لیے ہر گروپ میں کم از کم { $min } درکار ہیں): اس لیے تحصیلوں کے اندر درخواستوں کی دوبارہ نمونہ گیری کی گئی، جو پوری تحصیل کو متاثر کرنے والے واقعات کو نظر انداز کرتی ہے، لہٰذا وقفہ غالباً بہت تنگ ہے۔
eval-warn-unbalanced-windows = ابتدائی مدت میں { $baseline } دن اور بعد کی مدت میں { $followup } دن کے اعداد و شمار ہیں: موسم اور رجحانات شاید برابر نہ ہوں۔
eval-warn-diverging-pre-trends = آغاز سے پہلے ہی دونوں گروپ ایک دوسرے سے دور جا رہے تھے (ہر 30 دن میں { $value } { $unit }، 95% اعتماد وقفہ { $low } تا { $high })۔
eval-warn-comparison-has-action = تقابلی تحصیلوں { $tehsils } میں انہی مدتوں کے دوران ان کا اپنا اقدام ({ $actions }) جاری تھا۔
eval-warn-treated-has-other-action = اقدام والی تحصیلوں { $tehsils } میں انہی مدتوں کے دوران ایک اور اقدام ({ $actions }) بھی جاری تھا۔
eval-warn-censoring = بعد کی مدت کی { $share }% درخواستیں اعداد و شمار کے اختتام سے { $cap } دن سے کم پہلے موصول ہوئیں اور ابھی حل ہونے کے وقت میں شمار نہیں کی گئیں۔
eval-warn-placebo-significant = ابتدائی مدت کے اندر ایک فرضی آغاز ({ $date }) پر بھی تبدیلی نظر آتی ہے ({ $value } { $unit }، 95% اعتماد وقفہ { $low } تا { $high })۔
eval-warn-population-unknown = { $tehsils } کی آبادی کا عدد دستیاب نہیں: انہیں فی 10,000 باشندگان درخواستوں میں شامل نہیں کیا گیا۔
eval-warn-median-above-cap = نصف یا اس سے زیادہ درخواستوں میں { $cap } دن یا اس سے زیادہ لگے: میڈین کا تخمینہ نہیں لگایا جا سکتا۔
eval-warn-unstable-interval = صرف { $share }% دوبارہ نمونے قابلِ استعمال تھے: وقفہ ظاہر نہیں کیا گیا۔

# The action's page on the dashboard and its printable report.
ac-list = جدید اقدامات
ac-title = اقدام
ac-none = آپ کے دائرے میں ابھی کوئی جدید اقدام درج نہیں۔
ac-register = کوآرڈینیٹر اور جائزہ کار `sahulat action create` یا POST /api/v1/actions سے اقدام درج کرتے ہیں؛ پھر وہ اپنے جائزے کے ساتھ یہاں نظر آتا ہے۔
ac-back = شواہد کے ڈیش بورڈ پر واپس
ac-missing = آپ کے دائرے میں ایسا کوئی اقدام نہیں۔
ac-not-yet = “{ $title }” { $start } کو شروع ہوتا ہے۔ جائزے کے لیے آغاز کے بعد کم از کم ایک ہفتے کی درخواستیں درکار ہیں؛ تب دوبارہ دیکھیں۔
ac-doc-title = سہولت: ایک جدید اقدام کا جائزہ
ac-generated = سہولت نے { $date } کو اپنے ڈیٹا بیس کی درخواستوں سے تیار کیا۔
ac-tehsils = تحصیلیں
ac-services = متعلقہ سروسز
ac-all-services = تمام سروسز
ac-start = آغاز
ac-end = اختتام
ac-ongoing = ابھی جاری
ac-budget = بجٹ (روپے)
ac-expected = متوقع اثر
ac-description = کیا کیا گیا
ac-design = موازنہ کیسے کیا گیا
ac-design-note = اقدام والی تحصیلوں ({ $treated }) میں تبدیلی کا موازنہ انہی تاریخوں میں { $n } تقابلی تحصیلوں کی تبدیلی سے کیا گیا ہے: دونوں تبدیلیوں کا فرق تخمینہ ہے (فرق در فرق)۔
ac-baseline = ابتدائی مدت
ac-follow-up = بعد کی مدت
ac-window = { $start } تا { $end }
ac-as-of = نتائج { $date } تک شمار کیے گئے ہیں۔
ac-comparison-tehsils = تقابلی تحصیلیں
ac-action-tehsils = اقدام والی تحصیلیں
ac-results = نتائج
ac-kpi = اہم عدد
ac-estimate = اندازاً تبدیلی
ac-ci = 95% وقفہ
ac-n-treated = درخواستیں، اقدام والی تحصیلیں
ac-n-comparison = درخواستیں، تقابلی تحصیلیں
ac-reading = اس کا مطلب
ac-how = اسے کیسے پڑھیں: تخمینے کا طریقہ، بوٹ اسٹریپ وقفہ، مدتیں، جانچیں اور کیا نتیجہ نکالا جا سکتا ہے اور کیا نہیں، یہ سب docs/evaluation.md میں لکھا ہے۔ انتباہ کا مطلب ہے کہ اس عدد کو اقدام کا اثر نہ سمجھا جائے۔
ac-chart = { $kpi } ہر 30 دن کی مدت میں، اقدام والی اور تقابلی تحصیلیں؛ سرخ ٹوٹی لکیر آغاز ہے
ac-chart-note = * والی مدتیں آغاز کے بعد کی ہیں۔ لکیر میں خلا اس مدت کو ظاہر کرتا ہے جس میں دکھانے کے لیے بہت کم درخواستیں تھیں۔
ac-period = مدت کا آغاز
ac-tehsils-with-requests = درخواستوں والی تحصیلیں (ابتدائی / بعد کی مدت)
ac-pre-trend-parallel = پہلے کے رجحان کی جانچ: ابتدائی مدت کے { $periods } حصوں میں گروپوں کا فرق ہر 30 دن میں { $value } { $unit } بدلا (95% اعتماد وقفہ { $low } تا { $high })؛ ان کے الگ ہوتے جانے کا کوئی اشارہ نہیں۔
ac-pre-trend-diverging = پہلے کے رجحان کی جانچ: ابتدائی مدت کے { $periods } حصوں میں گروپوں کا فرق ہر 30 دن میں { $value } { $unit } بدلا (95% اعتماد وقفہ { $low } تا { $high }): وہ آغاز سے پہلے ہی الگ ہو رہے تھے۔
ac-pre-trend-none = پہلے کے رجحان کی جانچ: جانچ کے لیے ابتدائی مدت میں ڈیٹا والے حصے بہت کم ہیں۔
ac-placebo-clear = فرضی آغاز کی جانچ: ابتدائی مدت کے اندر { $date } کا فرضی آغاز { $value } { $unit } دکھاتا ہے (95% اعتماد وقفہ { $low } تا { $high })؛ جہاں تبدیلی نہیں ہونی چاہیے وہاں نہیں ہے۔
ac-placebo-significant = فرضی آغاز کی جانچ: ابتدائی مدت کے اندر { $date } کا فرضی آغاز پہلے ہی { $value } { $unit } دکھاتا ہے (95% اعتماد وقفہ { $low } تا { $high }): اقدام کے علاوہ کچھ اور اس عدد کو بدل رہا ہے۔
ac-placebo-none = فرضی آغاز کی جانچ: ابتدائی مدت کا ڈیٹا بہت کم ہے۔
ac-method = وقفہ: { $method }؛ { $resamples } دوبارہ نمونے، بیج { $seed }۔
ac-windows = دوسری مدتیں
ac-baseline-days = ابتدائی مدت (دن، 7 تا 730)
ac-follow-up-days = بعد کی مدت (دن، 7 تا 730)
ac-window-range = مدتیں 7 سے 730 دن کی ہونی چاہئیں؛ طے شدہ مدتیں دکھائی گئی ہیں۔
ac-csv = یہ جائزہ ڈاؤن لوڈ کریں (CSV)
