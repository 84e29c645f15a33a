# Sahulat messages, Sindhi.
service-notice = توهان جو حوالو نمبر { $ref } آهي. حالت ڄاڻڻ لاءِ ان کي سنڀالي رکو.
sms-received = سهولت { $ref }: توهان جي شڪايت ({ $service }) { $dept } ڏانهن موڪلي وئي. آخري تاريخ { $due }.
sms-duplicate = سهولت { $ref }: هي مسئلو اڳ ئي { $orig } تي درج آهي. حل ٿيڻ تي توهان کي ٻڌائينداسين.
sms-escalation = سهولت: { $ref } ({ $service }، { $place }) { $hours } ڪلاڪ دير، درجو { $level }. فوري قدم کڻو.
sms-resolved = سهولت { $ref }: توهان جي شڪايت ({ $service }) حل ڪئي وئي. مسئلو باقي آهي ته ٻيهر کولرايو.
