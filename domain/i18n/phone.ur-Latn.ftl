# Roman Urdu (Urdu in Latin letters, as keypad phones type it): the texts a feature phone shows,
# USSD screens and SMS, all GSM-7 (182 characters a screen, 160 an SMS segment). Texts not
# here (pages, staff messages) fall back to English. Service names for USSD are below.
service-notice = Aap ka hawala { $ref } hai. Halat janne ke liye sambhal kar rakhein.
sms-received = Sahulat { $ref }: aap ki shikayat ({ $service }) { $dept } ko bhej di gayi. Akhri tareekh { $due }.
sms-duplicate = Sahulat { $ref }: yeh masla pehle { $orig } par darj hai. Hal hone par batayenge.
sms-resolved = Sahulat { $ref }: { $service } hal kar di gayi. Masla baqi? SMS karein DOBARA { $ref } aur kya kharab hai. Rai: RAI { $ref } 1-5
sms-update = Sahulat { $ref }: { $text }
sms-status = Sahulat { $ref }: { $status ->
    [acknowledged] { $dept } ne aap ki shikayat dekh li.
    [in_progress] aap ki shikayat par kaam shuru ho gaya.
    [referred] aap ki shikayat { $dept } ko bhej di gayi.
    [closed_not_fixed] hal kiye baghair band: { $note }
    [not_responsible] yeh Sahulat ke kisi mehkame ka kaam nahin; rabta karein: { $note }
    [duplicate] yehi masla { $note } par darj hai; hal hone par batayenge.
   *[open] aap ki shikayat dobara khul gayi; { $dept } kaam karega.
}
status-submitted = mausool
status-open = khuli
status-acknowledged = dekh li gayi
status-in_progress = kaam jari
status-referred = muntaqil
status-resolved = hal shuda
status-closed_not_fixed = band, hal nahin hui
status-not_responsible = hamari zimmedari nahin
status-duplicate = dohrai gayi
status-rejected = mustarad
ussd-language-name = Roman Urdu
ussd-main = Sahulat
ussd-opt-report = Shikayat darj karein
ussd-opt-track = Shikayat ki halat
ussd-opt-reopen = Shikayat dobara kholein
ussd-opt-rate = Rai dein
ussd-district = Aap ka zila:
ussd-tehsil = Aap ki tehsil:
ussd-service = Masla:
ussd-skip = Chhorein
ussd-landmark = Qareeb koi nishani? Likhein, ya 0 chhorne ke liye:
ussd-confirm = Bhejein: { $service }, { $place }{ $landmark }?
ussd-send = Bhejein
ussd-cancel = Mansookh
ussd-sent = Bhej di gayi. Hawala: { $ref }. Aap ko SMS aayega.
ussd-cancelled = Mansookh. Kuch nahin bheja gaya.
ussd-ref-enter = 9 hindsoon ka hawala likhein:
ussd-ref-typo = Ek hindsa ghalat hai. Hawala dekh kar dobara likhein:
ussd-ref-shape = Hawala 9 hindsoon ka hai. Dobara likhein:
ussd-unknown-ref = Hawala { $ref } ki koi shikayat nahin.
ussd-status = { $ref }: { $status }.
ussd-status-dept = { $dept } ke paas.
ussd-status-due = Akhri tareekh { $due }.
ussd-reason = Ab kya kharabi hai?
ussd-reason-not-fixed = Theek nahin hua
ussd-reason-came-back = Phir se hai
ussd-reason-badly = Theek nahin bana
ussd-reason-other = Kuch aur
ussd-rating = Aap ki rai:
ussd-rate-1 = Bohat kharab
ussd-rate-2 = Kharab
ussd-rate-3 = Theek
ussd-rate-4 = Achha
ussd-rate-5 = Bohat achha
ussd-reopened = { $ref } dobara khul gayi. Mehkame ko nayi tareekh mili.
ussd-rated = Shukriya. { $ref } par rai mehfooz.
ussd-rated-reopened = Shukriya. Aap ki rai se { $ref } dobara khul gayi.
ussd-not-yours = Yeh number shikayat { $ref } ka nahin.
ussd-no-phone = Shikayat { $ref } par koi number darj nahin.
ussd-not-closed = { $ref } par abhi kaam ho raha hai.
ussd-window-passed = { $ref } bohat pehle band hui. Nayi shikayat karein.
ussd-already-rated = Aap { $ref } par rai de chuke hain.
ussd-not-reopenable = { $ref } abhi dobara nahin khul sakti.
ussd-invalid = Ghalat intikhab.
ussd-next = Agla
ussd-back = Peechhe
ussd-resume = Adhoori shikayat jari rakhein?
ussd-resume-yes = Haan
ussd-resume-no = Naye sire se
ussd-limit-sessions = Is number se bohat zyada koshishein. Ek ghante baad koshish karein.
ussd-limit-requests = Is number se aaj { $count } shikayaat ho chukin, is se zyada nahin. Kal koshish karein.
ussd-too-long = Session bohat lamba ho gaya. Dobara dial karein.
ussd-bad-phone = Sahulat ko hawala SMS karne ke liye Pakistani mobile number chahiye.
ussd-error = Maazrat, kharabi hui. Dobara dial karein.
ussd-description = { $service } (phone se darj){ $landmark }
ussd-description-near = , qareeb { $landmark }
smsin-help = Sahulat: likhein HALAT 123456786, ya DOBARA 123456786 aur kharabi, ya RAI 123456786 1-5 (5 = bohat achha).
smsin-status = Sahulat { $ref }: { $status }.{ $more }
smsin-unknown = Sahulat: hawala { $ref } ki koi shikayat nahin.
smsin-typo = Sahulat: { $ref } mein typing ki ghalti hai. Hindse dekhein.
smsin-not-yours = Sahulat: yeh number shikayat { $ref } ka nahin, is liye hum tafseel nahin de sakte.
smsin-no-phone = Sahulat: shikayat { $ref } number ke baghair ki gayi, SMS se nahin badal sakti.
smsin-reopened = Sahulat { $ref }: dobara khul gayi. Mehkame ko nayi tareekh mili.
smsin-rated = Sahulat { $ref }: rai ka shukriya.
smsin-rated-reopened = Sahulat { $ref }: shukriya. Aap ki rai se shikayat dobara khul gayi.
smsin-not-closed = Sahulat { $ref }: abhi kaam jari hai; band hone par rai dein.
smsin-window = Sahulat { $ref }: bohat pehle band hui. Nayi shikayat karein.
smsin-already = Sahulat { $ref }: aap rai de chuke hain.
smsin-not-reopenable = Sahulat { $ref }: yeh shikayat abhi dobara nahin khul sakti.
smsin-reason-needed = Sahulat: kharabi bhi likhein: DOBARA { $ref } pani nahin aaya
smsin-rating-needed = Sahulat: 1 se 5 tak rai likhein: RAI { $ref } 4
smsin-too-many = Sahulat { $ref }: bohat zyada ghalat number. Baad mein koshish karein.
ussd-service-water-supply = Pani ki farahami band
ussd-service-water-quality = Peene ka pani ganda
ussd-service-sewerage-drainage = Gutter ya nali band
ussd-service-sanitation-latrine = Bait-ul-khala kharab
ussd-service-solid-waste = Kachra nahin uthaya
ussd-service-electricity = Bijli band ya kharabi
ussd-service-street-lights = Street light kharab
ussd-service-roads = Sarak kharab ya tooti
ussd-service-school-facilities = School ki sahuliyat
ussd-service-health-facility = Markaz-e-sehat masla
ussd-service-other = Koi aur masla
