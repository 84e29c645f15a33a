# Sahulat messages, English. Placeables: $ref (grouped reference), $service, $dept, $due (date),
# $orig (reference of the original request), $place, $level, $hours.
service-notice = Your reference is { $ref }. Keep it to check the status.
sms-received = Sahulat { $ref }: your { $service } report is with { $dept }. Due { $due }.
sms-duplicate = Sahulat { $ref }: already reported as { $orig }. We will tell you when it is fixed.
sms-escalation = Sahulat ESCALATION { $level }: { $ref } { $service }, { $place }, overdue { $hours }h. Please act now.
sms-resolved = Sahulat { $ref }: your report ({ $service }) is marked resolved. Not fixed? Reply or call to reopen.
sms-status = Sahulat { $ref }: { $status ->
    [acknowledged] { $dept } has seen your report.
    [in_progress] work on your report has started.
    [referred] your report was sent to { $dept }.
    [closed_not_fixed] closed without a fix: { $note }
    [not_responsible] this is not a Sahulat department's work; please contact { $note }.
    [duplicate] the same problem was reported as { $note }; we will tell you when it is fixed.
   *[open] your report is open again; { $dept } will act.
}
