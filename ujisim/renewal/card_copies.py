"""The registry of printed card copies: every claim of a licence card's print job prints a new
physical copy with its own serial (on the card and signed into its QR). At most one copy of a
licence is valid, the newest:

valid -> superseded (a later copy was issued: another claim of the job, after an expired lease
         or a reprint)
valid -> void       (this copy was withdrawn: its print failed, it was given back unprinted, or
                     it is being reprinted)

The print side (certificates, above us) calls these services when its jobs move; renewal never
imports certificates. Services take a ``Session``, flush and never commit.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, workflow
from ujisim.renewal.models import CardCopy, CopyStatus, Licence
from ujisim.renewal.registry import normalise_number

#: (from, to) -> verb (audit ``renewal.<verb>``); superseded and void are final
TRANSITIONS: dict[tuple[CopyStatus, CopyStatus], str] = {
    (CopyStatus.VALID, CopyStatus.SUPERSEDED): "card_copy_superseded",
    (CopyStatus.VALID, CopyStatus.VOID): "card_copy_voided",
}
#: Crockford's base32: no I, L, O, U, so a serial read aloud or typed is not mistaken
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _audit_data(move: workflow.Move) -> dict:
    return {
        "from": move.from_state,
        "to": move.to,
        "reason": move.reason,
        "licence_id": move.obj.licence_id,
        "claim": move.obj.claim_no,
    }


WORKFLOW = workflow.register(
    workflow.Workflow(
        model=CardCopy,
        field="status",
        states=CopyStatus,
        transitions=TRANSITIONS,
        object_type="card_copy",
        audit_prefix="renewal",
        refusal=lambda a, b: _("This card copy cannot go from %(a)s to %(b)s.", a=a, b=b),
        audit_data=_audit_data,
        audit_object_id=lambda copy: copy.serial,
    )
)


@WORKFLOW.on()
def _ended(session: Session, move: workflow.Move) -> None:
    move.obj.ended_at = move.at
    move.obj.end_reason = (move.reason or "").strip()[:500] or None


def new_serial() -> str:
    """A fresh serial, ``7K2QP-M4D9X`` (50 random bits: unguessable, and two never meet)."""
    chars = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def get_card_licence(session: Session, number: str, issued_on: date) -> Licence | None:
    """The registry's licence printed as the card ``number`` issued on ``issued_on``."""
    return session.scalars(
        select(Licence).where(
            Licence.number == normalise_number(number), Licence.issued_on == issued_on
        )
    ).first()


def get_copy(session: Session, serial: str) -> CardCopy | None:
    return session.scalars(select(CardCopy).where(CardCopy.serial == serial)).first()


def get_claim_copy(session: Session, print_job_id: int, claim_no: int) -> CardCopy | None:
    """The copy printed under claim ``claim_no`` of the print job."""
    return session.scalars(
        select(CardCopy).where(CardCopy.print_job_id == print_job_id, CardCopy.claim_no == claim_no)
    ).first()


def query_copies(session: Session, licence: Licence) -> list[CardCopy]:
    """Every copy of ``licence``'s card, oldest first."""
    return list(
        session.scalars(
            select(CardCopy).where(CardCopy.licence_id == licence.id).order_by(CardCopy.id)
        )
    )


def get_valid_copy(session: Session, licence_id: int) -> CardCopy | None:
    return session.scalars(
        select(CardCopy).where(
            CardCopy.licence_id == licence_id, CardCopy.status == CopyStatus.VALID
        )
    ).first()


def issue_copy(
    session: Session,
    licence: Licence,
    *,
    print_job_id: int,
    claim_no: int,
    holder: str = "",
    actor=None,
) -> CardCopy:
    """The copy printed under claim ``claim_no`` of the card's print job, with a new serial; the
    licence's valid copy (an earlier claim's) is superseded first. Idempotent per claim."""
    existing = get_claim_copy(session, print_job_id, claim_no)
    if existing is not None:
        return existing
    copy = CardCopy(
        serial=new_serial(),
        licence_id=licence.id,
        print_job_id=print_job_id,
        claim_no=claim_no,
        holder=holder[:80],
        status=CopyStatus.VALID,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            earlier = get_valid_copy(session, licence.id)
            if earlier is not None:
                workflow.advance(
                    session,
                    earlier,
                    CopyStatus.SUPERSEDED,
                    actor,
                    f"copy printed later under claim {claim_no}",
                )
            session.add(copy)
            session.flush()
    except IntegrityError:  # a concurrent request issued this claim's copy first
        session.expire_all()
        existing = get_claim_copy(session, print_job_id, claim_no)
        if existing is None:
            raise
        return existing
    audit.record(
        session,
        "renewal.card_copy_issued",
        actor=actor,
        object_type="card_copy",
        object_id=copy.serial,
        data={"licence": licence.public_id, "claim": claim_no, "holder": copy.holder},
    )
    return copy


def void_copy(session: Session, copy: CardCopy | None, reason: str, actor=None) -> None:
    """Withdraw ``copy`` if it is still valid (a failed print, a copy given back, a reprint)."""
    if copy is not None and copy.status == CopyStatus.VALID:
        workflow.advance(session, copy, CopyStatus.VOID, actor, reason)
