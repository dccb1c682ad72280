"""The renewal application's state machine, start and cancel, and the identity-check seam.

documents -> identity -> delivery -> payment -> paid -> approved -> completed
identity -> identity_review (3 failed checks) -> delivery (officer cleared) | rejected
payment -> expired (the virtual account was not paid in time)
paid -> rejected (officer, with a reason; a refund is recorded)
documents | identity | identity_review | delivery | payment -> cancelled (the holder)
"""

from __future__ import annotations

import json
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, duties, workflow
from ujisim.core.errors import IllegalTransition, NotFoundError
from ujisim.core.storage import StoredFile
from ujisim.renewal import closures, eligibility, notify, registry
from ujisim.renewal.advice import ADVICE
from ujisim.renewal.errors import StaleForm
from ujisim.renewal.models import (
    OPEN_STATES,
    AppEvent,
    AppState,
    DeliveryOrder,
    IdentityStatus,
    Licence,
    Payment,
    PaymentStatus,
    RenewalApplication,
)

PRE_PAYMENT = (
    AppState.DOCUMENTS,
    AppState.IDENTITY,
    AppState.IDENTITY_REVIEW,
    AppState.DELIVERY,
    AppState.PAYMENT,
)
#: (from, to) -> verb (audit action ``renewal.<verb>``)
TRANSITIONS: dict[tuple[AppState, AppState], str] = {
    (AppState.DOCUMENTS, AppState.IDENTITY): "documents_submitted",
    (AppState.IDENTITY, AppState.DELIVERY): "identity_passed",
    (AppState.IDENTITY, AppState.IDENTITY_REVIEW): "identity_to_officer",
    (AppState.IDENTITY_REVIEW, AppState.DELIVERY): "identity_cleared",
    (AppState.IDENTITY_REVIEW, AppState.REJECTED): "rejected",
    (AppState.DELIVERY, AppState.PAYMENT): "delivery_chosen",
    (AppState.PAYMENT, AppState.PAID): "paid",
    (AppState.PAYMENT, AppState.EXPIRED): "payment_expired",
    (AppState.PAID, AppState.APPROVED): "approved",
    (AppState.PAID, AppState.REJECTED): "rejected",
    (AppState.APPROVED, AppState.COMPLETED): "completed",
    **{(state, AppState.CANCELLED): "cancelled" for state in PRE_PAYMENT},
}
#: the identity check's own status beside the state (audit action ``renewal.<verb>``): the
#: camera tries, the officer's review, the in-person check at the Satpas office
_TRIED = (IdentityStatus.PENDING, IdentityStatus.FAILED)
IDENTITY_TRANSITIONS: dict[tuple[IdentityStatus, IdentityStatus], str] = {
    **{(status, IdentityStatus.PASSED): "identity_check_passed" for status in _TRIED},
    (IdentityStatus.PENDING, IdentityStatus.FAILED): "identity_check_failed",
    **{(status, IdentityStatus.OFFICER_REVIEW): "identity_officer_review" for status in _TRIED},
    **{(status, IdentityStatus.IN_PERSON): "identity_in_person" for status in _TRIED},
    (IdentityStatus.OFFICER_REVIEW, IdentityStatus.IN_PERSON): "identity_in_person",
    (IdentityStatus.OFFICER_REVIEW, IdentityStatus.CLEARED): "identity_confirmed",
    (IdentityStatus.IN_PERSON, IdentityStatus.CLEARED): "identity_confirmed",
}
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=RenewalApplication,
        field="state",
        states=AppState,
        transitions=TRANSITIONS,
        object_type="renewal",
        audit_prefix="renewal",
        event=AppEvent,
        refusal=lambda a, b: _("This application cannot go from %(a)s to %(b)s.", a=a, b=b),
        after=[lambda session, move: notify.status_changed(session, move.obj)],
    )
)
IDENTITY_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=RenewalApplication,
        field="identity_status",
        states=IdentityStatus,
        transitions=IDENTITY_TRANSITIONS,
        object_type="renewal",
        audit_prefix="renewal",
        refusal=lambda a, b: _("This application cannot go from %(a)s to %(b)s.", a=a, b=b),
        audit_data=lambda move: {
            "from": move.from_state,
            "to": move.to,
            "reason": move.reason,
            **move.context,
        },
    )
)


@WORKFLOW.on()
@IDENTITY_WORKFLOW.on()
def _bump(session: Session, move: workflow.Move) -> None:
    """Every change stamps the application and bumps the version its forms carry."""
    move.obj.updated_at = move.at
    move.obj.version += 1


@WORKFLOW.on(AppState.PAID)
def _on_paid(session: Session, move: workflow.Move) -> None:
    move.obj.paid_at = move.at


@WORKFLOW.on(AppState.APPROVED)
@WORKFLOW.on(AppState.REJECTED)
def _on_decided(session: Session, move: workflow.Move) -> None:
    move.obj.decided_at = move.at
    move.obj.decided_by_id = getattr(move.actor, "id", None)


@WORKFLOW.on(AppState.COMPLETED)
def _on_completed(session: Session, move: workflow.Move) -> None:
    move.obj.completed_at = move.at


#: failed identity checks before the application goes to an officer instead
MAX_IDENTITY_TRIES = 3


def check_version(application: RenewalApplication, expected: int | str | None) -> None:
    """Refuse a form made for an older state (409), e.g. from a second tab."""
    if expected is None:
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        expected = -1
    if expected != application.version:
        raise StaleForm(
            _("This application changed in the meantime (another tab?). Reload the page.")
        )


def advance(
    session: Session,
    application: RenewalApplication,
    to: AppState | IdentityStatus,
    actor=None,
    reason: str = "",
    **context,
) -> RenewalApplication:
    """Move ``application``'s state (or, for an ``IdentityStatus``, its identity status)
    through the workflow engine: the table, the time stamps, the event row, the audit record and
    the holder's e-mail."""
    return workflow.advance(session, application, to, actor, reason, **context)


def deletion_guard(session: Session, user) -> str | None:
    """Why ``user``'s account cannot be deleted yet: a renewal still in progress."""
    open_ = session.scalars(
        select(RenewalApplication.id).where(
            RenewalApplication.user_id == user.id, RenewalApplication.state.in_(OPEN_STATES)
        )
    ).first()
    if open_ is not None:
        return _(
            "A renewal of this account is still in progress; it must be completed, rejected or "
            "cancelled first."
        )
    return None


def open_application_of(session: Session, user) -> str | None:
    """The public id of a renewal of ``user`` not yet ended, or None: while there is one, the
    user sees no staff page with reviews or verifications (core/duties.py)."""
    return session.scalars(
        select(RenewalApplication.public_id)
        .where(RenewalApplication.user_id == user.id, RenewalApplication.state.in_(OPEN_STATES))
        .limit(1)
    ).first()


OWN_RENEWAL = _l(
    "This is your own licence renewal. Another officer must verify it and hand over the card."
)


def duty_subject(session: Session, application: RenewalApplication) -> duties.Subject:
    """Whose renewal it is: the applicant's account and the licence holder's NIK (core/duties)."""
    licence = session.get(Licence, application.licence_id)
    return duties.Subject(
        "renewal",
        application.public_id,
        OWN_RENEWAL,
        frozenset({application.user_id}),
        frozenset({licence.holder_nik}),
    )


def order_subject(session: Session, order: DeliveryOrder) -> duties.Subject:
    return duty_subject(session, session.get(RenewalApplication, order.application_id))


def forget_registry_faces(session: Session, user) -> None:
    """Account deletion: a licence issued by a renewal carries the holder's uploaded photo
    (a file of the account, deleted with it) and the face encoding made from that photo. The
    licence stays in the registry; the encoding goes with the photo, so a later renewal of it
    needs a photo on file again (``flask licences photo``)."""

    uploads = select(StoredFile.id).where(StoredFile.owner_id == user.id)
    session.execute(
        update(Licence)
        .where(Licence.photo_file_id.in_(uploads))
        .values(photo_encoding=None)
        .execution_options(synchronize_session=False)
    )


def get_application(session: Session, public_id: str) -> RenewalApplication:
    found = session.scalars(
        select(RenewalApplication).where(RenewalApplication.public_id == str(public_id)[:40])
    ).first()
    if found is None:
        raise NotFoundError(_("There is no such application."))
    return found


def lock_application(session: Session, application: RenewalApplication) -> RenewalApplication:
    """Reload the application holding its row lock (PostgreSQL) for a state change."""
    session.flush()  # expire_all would drop unflushed changes
    session.expire_all()
    return session.scalars(
        select(RenewalApplication)
        .where(RenewalApplication.id == application.id)
        .with_for_update(of=RenewalApplication)
    ).one()


def start_application(
    session: Session, user, number: str, nik: str, date_of_birth: date | None
) -> RenewalApplication:
    """Check eligibility and open a renewal (state documents). Paused (RenewalPaused, 503)
    during a published closure of the online service (closures.py)."""
    closures.ensure_online_open(session, registry.local_today(user.timezone or "Asia/Jakarta"))
    licence = eligibility.check_eligibility(session, user, number, nik, date_of_birth)
    # Serialise two starts for the same licence (two tabs): the second finds the first open.
    session.scalars(select(Licence).where(Licence.id == licence.id).with_for_update()).one()
    licence = eligibility.check_eligibility(session, user, number, nik, date_of_birth)
    now = clock.now()
    application = RenewalApplication(
        user_id=user.id,
        licence_id=licence.id,
        state=AppState.DOCUMENTS,
        identity_status=IdentityStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    session.add(
        AppEvent(
            application_id=application.id,
            from_state=None,
            to_state=AppState.DOCUMENTS,
            actor_id=user.id,
            reason="",
            at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        "renewal.started",
        actor=user,
        object_type="renewal",
        object_id=application.public_id,
        data={"licence": licence.number} | _grace_data(session, licence, user),
    )
    notify.status_changed(session, application)
    return application


def _grace_data(session: Session, licence: Licence, user) -> dict:
    """The grace window an expired licence is renewed under, for the audit record."""
    window = eligibility.grace_window_of(session, licence, user)
    if window is None:
        return {}
    return {"grace_window": window.public_id, "telegram": window.telegram}


def cancel(session: Session, application: RenewalApplication, actor, version=None) -> None:
    """The holder gives up before paying (the licence may be renewed again while valid)."""
    check_version(application, version)
    close_pending(session, application)
    advance(session, application, AppState.CANCELLED, actor, "cancelled by holder")


# --- payments (here since cancelling closes one; ``payments`` builds on this module) ---


def current_payment(session: Session, application: RenewalApplication) -> Payment | None:
    return session.scalars(
        select(Payment)
        .where(Payment.application_id == application.id)
        .order_by(Payment.id.desc())
        .limit(1)
    ).first()


def close_pending(session: Session, application: RenewalApplication) -> None:
    """Close the open virtual account of an application that is given up."""
    payment = current_payment(session, application)
    if payment is not None and payment.status == PaymentStatus.PENDING:
        workflow.advance(session, payment, PaymentStatus.EXPIRED, None, "application given up")


# --- the proctoring seam -----------------------------------------------------------------------


def identity_advice(reason: str | None) -> str:
    """What the holder should do after a failed check with ``reason``."""
    advice = ADVICE.get(reason or "")
    return advice() if advice else _("The identity check did not pass. Please try again.")


def record_identity_result(
    session: Session,
    application: RenewalApplication,
    passed: bool,
    evidence: dict,
    actor=None,
) -> RenewalApplication:
    """Record one proctored identity check (face against the licence photo plus liveness).

    The proctoring package's identity-check flow calls this. ``evidence`` is kept as given
    (JSON-serialisable: reason, distances, tolerance, liveness result, frame file ids) and
    shown to the officer. A pass moves the application on to the delivery choice; a failure
    leaves it at the check for another try, and the third failure sends it to an officer
    (identity_review) instead of a dead end.
    """
    application = lock_application(session, application)
    if application.state != AppState.IDENTITY:
        raise IllegalTransition(_("This application is not waiting for an identity check."))
    entries = application.evidence
    entries.append({"passed": bool(passed), "at": clock.now().isoformat(), **evidence})
    application.identity_evidence = json.dumps(entries, default=str)
    audit.record(
        session,
        "renewal.identity_result",
        actor=actor,
        object_type="renewal",
        object_id=application.public_id,
        data={"passed": bool(passed), "reason": evidence.get("reason")},
    )
    if passed:
        advance(session, application, IdentityStatus.PASSED, actor, "identity check passed")
        return advance(session, application, AppState.DELIVERY, actor, "identity check passed")
    application.identity_failures += 1
    if application.identity_failures >= MAX_IDENTITY_TRIES:
        reason = f"{application.identity_failures} failed identity checks"
        advance(session, application, IdentityStatus.OFFICER_REVIEW, actor, reason)
        return advance(session, application, AppState.IDENTITY_REVIEW, actor, reason)
    if application.identity_status != IdentityStatus.FAILED:
        advance(session, application, IdentityStatus.FAILED, actor, evidence.get("reason") or "")
    else:  # another failed try: no new status, but the forms of the last one are stale
        application.version += 1
    session.flush()
    return application
