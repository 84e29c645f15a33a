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
