# Sahulat messages, English. Placeables: $ref (grouped reference), $service, $dept, $due (date),
# $orig (reference of the original request), $place, $level, $hours.
service-notice = Your reference is { $ref }. Keep it to check the status.
sms-received = Sahulat { $ref }: your { $service } report is with { $dept }. Due { $due }.
sms-duplicate = Sahulat { $ref }: already reported as { $orig }. We will tell you when it is fixed.
sms-escalation = Sahulat ESCALATION { $level }: { $ref } { $service }, { $place }, overdue { $hours }h. Please act now.
staff-routed = Sahulat NEW { $ref }: { $service }, { $place }. Due { $due }.
staff-unrouted = Sahulat UNROUTED { $ref }: { $service }, { $place }. No rule names a department: please route it.
staff-reopened = Sahulat REOPENED { $ref }: { $service }, { $place }. The citizen: { $why }
staff-poor-rating = Sahulat RATED { $rating }/5 { $ref }: { $service }, { $place }, closed too long ago to reopen.
staff-recategorised = Sahulat NEW { $ref }: { $service }, { $place } (service changed by the coordinator). Due { $due }.
sms-resolved = Sahulat { $ref }: { $service } marked resolved. Not fixed? SMS REOPEN { $ref } and what is wrong. Rate: RATE { $ref } 1-5
sms-update = Sahulat { $ref }: { $text }
sms-status = Sahulat { $ref }: { $status ->
    [acknowledged] { $dept } has seen your report.
    [in_progress] work on your report has started.
    [referred] your report was sent to { $dept }.
    [closed_not_fixed] closed without a fix: { $note }
    [not_responsible] this is not a Sahulat department's work; please contact { $note }.
    [duplicate] the same problem was reported as { $note }; we will tell you when it is fixed.
   *[open] your report is open again; { $dept } will act.
}
page-title = Sahulat — staff
page-signin = Sign in
page-username = Username
page-password = Password
page-signout = Sign out
page-queue = Queue
page-wrong = Wrong username or password.
page-locked = Too many failed sign-ins: try again in 15 minutes.
page-all = All
page-status = Status
page-priority = Priority
page-service = Service
page-tehsil = Tehsil
page-overdue = Overdue only
page-overdue-count = Overdue
page-unassigned = Not yet with a department
page-sort = Sort
page-filter = Filter
page-due = Due
page-received = Received
page-reporters = Reporters
page-no-tickets = No tickets match.
page-description = Description
page-location = Location
page-history = History
page-call-back = Call back
page-duplicates = Duplicates
page-act = Action
page-note = Note or reason
page-template = Response template
page-photos = Photos
page-upload = Upload
page-photo-add = Add a photo (JPEG, PNG or WebP, up to 10 MB)
page-photo-hide = Hide from the public
page-photo-show = Show to the public
page-photo-hidden = hidden from the public
page-photo-missing = Choose a photo to upload first.
page-ratings = Citizen ratings
page-rating-reopened = reopened the ticket
page-template-help = What the citizen reads for each template (in their language). A template can stand in for the note.
page-refer-to = Refer to
page-duplicate-of = Duplicate of (reference)
page-submit = Save
page-done = Saved.
page-back = Back to the queue
page-internal = internal
page-language = Language
status-submitted = received
status-open = open
status-acknowledged = acknowledged
status-in_progress = in progress
status-referred = referred
status-resolved = resolved
status-closed_not_fixed = closed, not fixed
status-not_responsible = not our responsibility
status-duplicate = duplicate
status-rejected = rejected
priority-low = low
priority-normal = normal
priority-high = high
priority-urgent = urgent
page-rate-limited = Too many sign-in attempts from this connection: wait a few minutes.
page-to-do = To do
page-comment = Add a comment
page-comment-public = Show to the citizen (public update)
page-password-change = Change password
page-password-current = Current password
page-password-new = New password (at least 10 characters)
page-password-changed = Password changed. Please sign in again.
page-inbox = Inbox
page-inbox-empty = No messages.
page-unread-only = Unread only
page-mark-read = Mark read
page-message = Message
page-new = New:
page-users = Accounts
page-role = Role
page-district = District
page-department = Department
page-active = Active
page-create-user = Create an account
page-enable = Enable
page-disable = Disable
page-description-hidden = hidden from the public
page-description-hide = Hide the description from the public (it names a private person)
page-description-show = Show the description to the public again
