# Sahulat messages, Urdu.
service-notice = آپ کا حوالہ نمبر { $ref } ہے۔ کیفیت جاننے کے لیے اسے محفوظ رکھیں۔
sms-received = سہولت { $ref }: آپ کی شکایت ({ $service }) { $dept } کو بھیج دی گئی۔ آخری تاریخ { $due }۔
sms-duplicate = سہولت { $ref }: یہ مسئلہ پہلے ہی { $orig } پر درج ہے۔ حل ہونے پر آپ کو بتائیں گے۔
sms-escalation = سہولت: { $ref } ({ $service }، { $place }) { $hours } گھنٹے تاخیر، درجہ { $level }۔ فوری کارروائی کریں۔
sms-resolved = سہولت { $ref }: { $service } حل کر دی گئی۔ مسئلہ باقی ہے تو SMS کریں: دوبارہ { $ref } اور خرابی۔ رائے دیں: رائے { $ref } 1-5
sms-update = سہولت { $ref }: { $text }
sms-status = سہولت { $ref }: { $status ->
    [acknowledged] { $dept } نے آپ کی شکایت دیکھ لی ہے۔
    [in_progress] آپ کی شکایت پر کام شروع ہو گیا ہے۔
    [referred] آپ کی شکایت { $dept } کو بھیج دی گئی ہے۔
    [closed_not_fixed] شکایت حل کیے بغیر بند کی گئی: { $note }
    [not_responsible] یہ سہولت کے کسی محکمے کا کام نہیں؛ براہ کرم { $note } سے رابطہ کریں۔
    [duplicate] یہی مسئلہ { $note } پر درج ہے؛ حل ہونے پر آپ کو بتائیں گے۔
   *[open] آپ کی شکایت دوبارہ کھل گئی ہے؛ { $dept } کارروائی کرے گا۔
}
page-title = سہولت — عملہ
page-signin = سائن ان
page-username = صارف نام
page-password = پاس ورڈ
page-signout = سائن آؤٹ
page-queue = شکایات کی فہرست
page-wrong = صارف نام یا پاس ورڈ غلط ہے۔
page-locked = بہت زیادہ ناکام کوششیں: 15 منٹ بعد دوبارہ کوشش کریں۔
page-all = سب
page-status = کیفیت
page-priority = ترجیح
page-service = سہولت
page-tehsil = تحصیل
page-overdue = صرف تاخیر والی
page-overdue-count = تاخیر والی
page-unassigned = ابھی کسی محکمے کے پاس نہیں
page-sort = ترتیب
page-filter = چھانٹیں
page-due = آخری تاریخ
page-received = موصولی
page-reporters = شکایت کنندگان
page-no-tickets = کوئی شکایت نہیں ملی۔
page-description = تفصیل
page-location = مقام
page-history = تاریخچہ
page-call-back = واپس کال کریں
page-duplicates = ملتی جلتی شکایات
page-act = کارروائی
page-note = نوٹ یا وجہ
page-template = جوابی نمونہ
page-photos = تصاویر
page-upload = اپ لوڈ کریں
page-photo-add = تصویر شامل کریں (JPEG، PNG یا WebP، زیادہ سے زیادہ 10 MB)
page-photo-hide = عوام سے چھپائیں
page-photo-show = عوام کو دکھائیں
page-photo-hidden = عوام سے چھپی ہوئی
page-photo-missing = پہلے اپ لوڈ کے لیے تصویر چنیں۔
page-ratings = شہری کی درجہ بندی
page-rating-reopened = شکایت دوبارہ کھل گئی
page-template-help = ہر نمونے پر شہری کو اس کی زبان میں یہ پیغام ملتا ہے۔ نمونہ نوٹ کی جگہ بھی کام دیتا ہے۔
page-refer-to = بھیجیں
page-duplicate-of = اصل شکایت کا حوالہ نمبر
page-submit = محفوظ کریں
page-done = محفوظ ہو گیا۔
page-back = فہرست پر واپس
page-internal = اندرونی
page-language = زبان
status-submitted = موصول
status-open = کھلی
status-acknowledged = دیکھ لی گئی
status-in_progress = کام جاری
status-referred = منتقل
status-resolved = حل شدہ
status-closed_not_fixed = بند، حل نہیں ہوئی
status-not_responsible = ہماری ذمہ داری نہیں
status-duplicate = دہرائی گئی
status-rejected = مسترد
priority-low = کم
priority-normal = عام
priority-high = زیادہ
priority-urgent = فوری
page-rate-limited = اس کنکشن سے سائن ان کی بہت زیادہ کوششیں: چند منٹ انتظار کریں۔
page-to-do = باقی کام
page-comment = تبصرہ شامل کریں
page-comment-public = شہری کو دکھائیں (عوامی اطلاع)
page-password-change = پاس ورڈ تبدیل کریں
page-password-current = موجودہ پاس ورڈ
page-password-new = نیا پاس ورڈ (کم از کم 10 حروف)
page-password-changed = پاس ورڈ تبدیل ہو گیا۔ دوبارہ سائن ان کریں۔
page-users = اکاؤنٹس
page-role = کردار
page-district = ضلع
page-department = محکمہ
page-active = فعال
page-create-user = نیا اکاؤنٹ بنائیں
page-enable = فعال کریں
page-disable = غیر فعال کریں
page-description-hidden = عوام سے چھپی ہوئی
page-description-hide = تفصیل عوام سے چھپائیں (اس میں کسی نجی شخص کا نام ہے)
page-description-show = تفصیل دوبارہ عوام کو دکھائیں
