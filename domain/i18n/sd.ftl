# Sahulat messages, Sindhi.
service-notice = توهان جو حوالو نمبر { $ref } آهي. حالت ڄاڻڻ لاءِ ان کي سنڀالي رکو.
sms-received = سهولت { $ref }: توهان جي شڪايت ({ $service }) { $dept } ڏانهن موڪلي وئي. آخري تاريخ { $due }.
sms-duplicate = سهولت { $ref }: هي مسئلو اڳ ئي { $orig } تي درج آهي. حل ٿيڻ تي توهان کي ٻڌائينداسين.
sms-escalation = سهولت: { $ref } ({ $service }، { $place }) { $hours } ڪلاڪ دير، درجو { $level }. فوري قدم کڻو.
sms-resolved = سهولت { $ref }: { $service } حل ڪئي وئي. مسئلو باقي آهي ته SMS ڪريو: ٻيهر { $ref } ۽ خرابي. راءِ ڏيو: راءِ { $ref } 1-5
sms-update = سهولت { $ref }: { $text }
sms-status = سهولت { $ref }: { $status ->
    [acknowledged] { $dept } توهان جي شڪايت ڏسي ورتي آهي.
    [in_progress] توهان جي شڪايت تي ڪم شروع ٿي ويو آهي.
    [referred] توهان جي شڪايت { $dept } ڏانهن موڪلي وئي آهي.
    [closed_not_fixed] شڪايت حل ڪرڻ کان سواءِ بند ڪئي وئي: { $note }
    [not_responsible] هي سهولت جي ڪنهن کاتي جو ڪم ناهي؛ مهرباني ڪري { $note } سان رابطو ڪريو.
    [duplicate] ساڳيو مسئلو { $note } تي درج آهي؛ حل ٿيڻ تي توهان کي ٻڌائينداسين.
   *[open] توهان جي شڪايت ٻيهر کلي وئي آهي؛ { $dept } قدم کڻندو.
}
page-title = سهولت — عملو
page-signin = سائن ان
page-username = يوزر نالو
page-password = پاسورڊ
page-signout = سائن آئوٽ
page-queue = شڪايتن جي فهرست
page-wrong = يوزر نالو يا پاسورڊ غلط آهي.
page-locked = گهڻيون ناڪام ڪوششون: 15 منٽن کان پوءِ ٻيهر ڪوشش ڪريو.
page-all = سڀ
page-status = حالت
page-priority = ترجيح
page-service = سهولت
page-tehsil = تعلقو
page-overdue = رڳو دير وارا
page-overdue-count = دير وارا
page-unassigned = اڃا ڪنهن کاتي وٽ ناهي
page-sort = ترتيب
page-filter = ڇاڻيو
page-due = آخري تاريخ
page-received = ملڻ جو وقت
page-reporters = شڪايت ڪندڙ
page-no-tickets = ڪا شڪايت نه ملي.
page-description = تفصيل
page-location = هنڌ
page-history = تاريخ
page-call-back = واپس فون ڪريو
page-duplicates = ساڳيون شڪايتون
page-act = قدم
page-note = نوٽ يا سبب
page-template = جوابي نمونو
page-photos = تصويرون
page-upload = اپ لوڊ ڪريو
page-photo-add = تصوير شامل ڪريو (JPEG، PNG يا WebP، وڌ ۾ وڌ 10 MB)
page-photo-hide = عوام کان لڪايو
page-photo-show = عوام کي ڏيکاريو
page-photo-hidden = عوام کان لڪيل
page-photo-missing = پهرين اپ لوڊ لاءِ تصوير چونڊيو.
page-ratings = شهري جي درجه بندي
page-rating-reopened = شڪايت ٻيهر کلي وئي
page-template-help = هر نموني تي شهري کي سندس ٻولي ۾ هي پيغام ملندو. نمونو نوٽ جي جاءِ تي به ڪم ڏئي ٿو.
page-refer-to = موڪليو
page-duplicate-of = اصل شڪايت جو حوالو نمبر
page-submit = محفوظ ڪريو
page-done = محفوظ ٿي ويو.
page-back = فهرست ڏانهن واپس
page-internal = اندروني
page-language = ٻولي
status-submitted = ملي
status-open = کليل
status-acknowledged = ڏٺي وئي
status-in_progress = ڪم جاري
status-referred = منتقل
status-resolved = حل ٿيل
status-closed_not_fixed = بند، حل نه ٿي
status-not_responsible = اسان جي ذميواري ناهي
status-duplicate = ٻيهر آيل
status-rejected = رد ٿيل
priority-low = گهٽ
priority-normal = عام
priority-high = وڌيڪ
priority-urgent = فوري
page-rate-limited = هن ڪنيڪشن مان سائن ان جون تمام گهڻيون ڪوششون: ڪجهه منٽ انتظار ڪريو.
page-to-do = باقي ڪم
page-comment = تبصرو شامل ڪريو
page-comment-public = شهري کي ڏيکاريو (عوامي اطلاع)
page-password-change = پاسورڊ تبديل ڪريو
page-password-current = موجوده پاسورڊ
page-password-new = نئون پاسورڊ (گهٽ ۾ گهٽ 10 اکر)
page-password-changed = پاسورڊ تبديل ٿي ويو. ٻيهر سائن ان ڪريو.
page-users = اڪائونٽس
page-role = ڪردار
page-district = ضلعو
page-department = کاتو
page-active = فعال
page-create-user = نئون اڪائونٽ ٺاهيو
page-enable = فعال ڪريو
page-disable = غير فعال ڪريو
page-description-hidden = عوام کان لڪيل
page-description-hide = تفصيل عوام کان لڪايو (ان ۾ ڪنهن نجي ماڻهوءَ جو نالو آهي)
page-description-show = تفصيل ٻيهر عوام کي ڏيکاريو
