# Sahulat messages, Urdu.
service-notice = آپ کا حوالہ نمبر { $ref } ہے۔ کیفیت جاننے کے لیے اسے محفوظ رکھیں۔
sms-received = سہولت { $ref }: آپ کی شکایت ({ $service }) { $dept } کو بھیج دی گئی۔ آخری تاریخ { $due }۔
sms-duplicate = سہولت { $ref }: یہ مسئلہ پہلے ہی { $orig } پر درج ہے۔ حل ہونے پر آپ کو بتائیں گے۔
sms-escalation = سہولت: { $ref } ({ $service }، { $place }) { $hours } گھنٹے تاخیر، درجہ { $level }۔ فوری کارروائی کریں۔
sms-resolved = سہولت { $ref }: آپ کی شکایت ({ $service }) حل کر دی گئی۔ مسئلہ باقی ہے تو دوبارہ کھلوائیں۔
