"""How the renewal's states read to people, in their language (the codes stay in the database):
each states enum of the renewal is named here for the workflow engine, so a refused move says
"from Published to Published", never "from published to published". What holders see of their
application, payment, refund and delivery is in ``tracking.py``; the rest is here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ujisim.core import workflow
from ujisim.renewal import tracking
from ujisim.renewal.models import (
    AppState,
    CopyStatus,
    GraceStatus,
    IdentityStatus,
    LicenceStatus,
    OrderState,
    PaymentStatus,
    RefundStatus,
    ReminderStatus,
)

#: a renewal's identity check, as the officer sees it
IDENTITY_LABELS = {
    IdentityStatus.PENDING: _l("not checked yet"),
    IdentityStatus.PASSED: _l("confirmed by the camera check"),
    IdentityStatus.FAILED: _l("camera check failed"),
    IdentityStatus.OFFICER_REVIEW: _l("waiting for an officer"),
    IdentityStatus.IN_PERSON: _l("to be checked in person"),
    IdentityStatus.CLEARED: _l("confirmed by an officer"),
}
LICENCE_LABELS = {
    LicenceStatus.ACTIVE: _l("valid"),
    LicenceStatus.EXPIRED: _l("expired"),
    LicenceStatus.REVOKED: _l("revoked"),
    LicenceStatus.REPLACED: _l("replaced by a renewal"),
}
#: a printed copy of a licence card
COPY_LABELS = {
    CopyStatus.VALID: _l("valid copy"),
    CopyStatus.SUPERSEDED: _l("superseded by a later copy"),
    CopyStatus.VOID: _l("void"),
}
GRACE_LABELS = {
    GraceStatus.DRAFT: _l("draft"),
    GraceStatus.PUBLISHED: _l("published"),
    GraceStatus.WITHDRAWN: _l("withdrawn"),
}
#: a reminder's text message
REMINDER_LABELS = {
    ReminderStatus.QUEUED: _l("waiting to be sent"),
    ReminderStatus.SENT: _l("sent"),
    ReminderStatus.FAILED: _l("failed"),
}

for _states, _labels in (
    (AppState, tracking.STATE_LABELS),
    (OrderState, tracking.ORDER_LABELS),
    (PaymentStatus, tracking.PAYMENT_LABELS),
    (RefundStatus, tracking.REFUND_LABELS),
    (IdentityStatus, IDENTITY_LABELS),
    (LicenceStatus, LICENCE_LABELS),
    (CopyStatus, COPY_LABELS),
    (GraceStatus, GRACE_LABELS),
    (ReminderStatus, REMINDER_LABELS),
):
    workflow.name_states(_states, _labels)
