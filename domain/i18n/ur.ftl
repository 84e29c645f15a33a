# Sahulat messages, Urdu.
service-notice = آپ کا حوالہ نمبر { $ref } ہے۔ کیفیت جاننے کے لیے اسے محفوظ رکھیں۔
sms-received = سہولت { $ref }: آپ کی شکایت ({ $service }) { $dept } کو بھیج دی گئی۔ آخری تاریخ { $due }۔
sms-duplicate = سہولت { $ref }: یہ مسئلہ پہلے ہی { $orig } پر درج ہے۔ حل ہونے پر آپ کو بتائیں گے۔
sms-escalation = سہولت: { $ref } ({ $service }، { $place }) { $hours } گھنٹے تاخیر، درجہ { $level }۔ فوری کارروائی کریں۔
sms-resolved = سہولت { $ref }: آپ کی شکایت ({ $service }) حل کر دی گئی۔ مسئلہ باقی ہے تو دوبارہ کھلوائیں۔
sms-status = سہولت { $ref }: { $status ->
    [acknowledged] { $dept } نے آپ کی شکایت دیکھ لی ہے۔
    [in_progress] آپ کی شکایت پر کام شروع ہو گیا ہے۔
    [referred] آپ کی شکایت { $dept } کو بھیج دی گئی ہے۔
    [closed_not_fixed] شکایت حل کیے بغیر بند کی گئی: { $note }
    [not_responsible] یہ سہولت کے کسی محکمے کا کام نہیں؛ براہ کرم { $note } سے رابطہ کریں۔
    [duplicate] یہی مسئلہ { $note } پر درج ہے؛ حل ہونے پر آپ کو بتائیں گے۔
   *[open] آپ کی شکایت دوبارہ کھل گئی ہے؛ { $dept } کارروائی کرے گا۔
}
