"""Online renewal: the licence registry, applications with their documents and state log,
payments (virtual accounts, provider events, refunds) and delivery orders.

Long because it is the domain's one models file (STYLE.md: one ``models.py`` per domain): the
tables and enums of the registry, card copies, applications, payments, refunds, delivery, grace
windows, reminders and the survey, each column with its ``#:`` comment, and nothing else."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from ujisim.core.db import Base, new_public_id
from ujisim.core.workflow import EventMixin
from ujisim.proctoring.face_liveness import Challenge


class LicenceStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Licence(Base):
    """One issued card. A renewal keeps the number and adds a row; the old row is replaced."""

    __tablename__ = "renewal_licence"
    __table_args__ = (
        UniqueConstraint("number", "issued_on"),
        CheckConstraint(
            "status in ('active', 'expired', 'revoked', 'replaced')", name="licence_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    #: the SIM number printed on the card (kept across renewals)
    number: Mapped[str] = mapped_column(String(20), index=True)
    #: A, C, B1 ... (registry.KNOWN_CLASSES); only A and C are renewed online
    licence_class: Mapped[str] = mapped_column(String(8))
    holder_nik: Mapped[str] = mapped_column(String(16), index=True)
    holder_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date]
    place_of_birth: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    signature_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    #: the photo's face encoding (JSON list of 128 floats), made once at import
    photo_encoding: Mapped[str | None] = mapped_column(Text)
    #: calendar dates: a SIM is valid through its expiry day
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    satpas: Mapped[str] = mapped_column(String(120))
    status: Mapped[LicenceStatus] = mapped_column(String(16), default=LicenceStatus.ACTIVE)
    #: the licence that replaced this one (renewal)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("renewal_licence.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    @property
    def encoding(self) -> list[float] | None:
        return json.loads(self.photo_encoding) if self.photo_encoding else None


class CopyStatus(enum.StrEnum):
    VALID = "valid"
    SUPERSEDED = "superseded"
    VOID = "void"


class CardCopy(Base):
    """One physical copy of a licence card: each claim of the card's print job prints a copy
    with its own serial (on the card and in its signed QR). At most one copy of a licence is
    valid: a newer copy supersedes it, a failed print, a copy given back or a reprint voids it
    (renewal/card_copies.py)."""

    __tablename__ = "renewal_card_copy"
    __table_args__ = (
        UniqueConstraint("print_job_id", "claim_no"),
        CheckConstraint("status in ('valid', 'superseded', 'void')", name="card_copy_status"),
        # the database itself refuses a second valid copy of one licence
        Index(
            "uq_renewal_card_copy_valid",
            "licence_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: printed on the card and signed into its QR (``7K2QP-M4D9X``, Crockford base32)
    serial: Mapped[str] = mapped_column(String(16), unique=True)
    licence_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_licence.id", ondelete="CASCADE"), index=True
    )
    #: the card's print job (certificates.print_queue) and which of its claims printed this copy
    print_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_job.id", ondelete="SET NULL")
    )
    claim_no: Mapped[int]
    #: who printed it: ``station:<public id>`` or ``user:<id>``
    holder: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[CopyStatus] = mapped_column(String(16), default=CopyStatus.VALID)
    created_at: Mapped[datetime]
    #: when and why it stopped being valid (superseded or void)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)


class AppState(enum.StrEnum):
    DOCUMENTS = "documents"
    IDENTITY = "identity"
    IDENTITY_REVIEW = "identity_review"
    DELIVERY = "delivery"
    PAYMENT = "payment"
    PAID = "paid"
    APPROVED = "approved"
    COMPLETED = "completed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN_STATES = (
    AppState.DOCUMENTS,
    AppState.IDENTITY,
    AppState.IDENTITY_REVIEW,
    AppState.DELIVERY,
    AppState.PAYMENT,
    AppState.PAID,
    AppState.APPROVED,
)


class IdentityStatus(enum.StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    OFFICER_REVIEW = "officer_review"
    #: no photo on file to compare a face with: only an officer who sees the holder in person at
    #: the Satpas office (KTP against the NIK, face against the KTP) may confirm the identity
    IN_PERSON = "in_person"
    #: an officer confirmed the identity after the failed tries (or in person)
    CLEARED = "cleared"


class ReferenceSource(enum.StrEnum):
    """What a renewal's identity rests on (``identity.resolve_reference``)."""

    #: the camera check against the photo on the licence record
    LICENCE_PHOTO = "licence_photo"
    #: the camera check against the population register (Dukcapil) photo of the holder's NIK
    #: (the licence has no photo on file)
    POPULATION_REGISTER = "population_register"
    #: no photo to compare a face with: an officer sees the holder at the Satpas office
    IN_PERSON = "in_person"


class RenewalApplication(Base):
    __tablename__ = "renewal_application"
    __table_args__ = (Index("ix_renewal_application_state_paid", "state", "paid_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("renewal_licence.id"), index=True)
    state: Mapped[AppState] = mapped_column(String(20), default=AppState.DOCUMENTS)
    #: bumped by every state change; forms send it back so a stale tab gets 409
    version: Mapped[int] = mapped_column(default=1)
    identity_status: Mapped[IdentityStatus] = mapped_column(
        String(20), default=IdentityStatus.PENDING
    )
    identity_failures: Mapped[int] = mapped_column(default=0)
    #: what the identity check compares with (ReferenceSource); None until the identity step
    #: chose it (and on applications from before the choice was recorded)
    reference_source: Mapped[ReferenceSource | None] = mapped_column(String(24))
    #: the face encoding (JSON) of the population register photo when that is the reference,
    #: so every try compares with the same face the register gave
    reference_encoding: Mapped[str | None] = mapped_column(Text)
    #: JSON list of the identity results (evidence from the proctoring check)
    identity_evidence: Mapped[str] = mapped_column(Text, default="[]")
    health_cert_number: Mapped[str | None] = mapped_column(String(40))
    health_cert_date: Mapped[date | None]
    psych_cert_number: Mapped[str | None] = mapped_column(String(40))
    psych_cert_date: Mapped[date | None]
    #: "courier" or "pickup"
    delivery_method: Mapped[str | None] = mapped_column(String(10))
    #: the Satpas office that issues the renewed card (and its pick-up counter)
    satpas: Mapped[str | None] = mapped_column(String(120))
    #: the person the holder authorised (surat kuasa) to pick the card up at the counter, and
    #: their NIK (pick-up only; None: only the holder)
    proxy_name: Mapped[str | None] = mapped_column(String(120))
    proxy_nik: Mapped[str | None] = mapped_column(String(16))
    #: JSON: bank, number, holder: where a refund goes if the application is rejected
    refund_account: Mapped[str | None] = mapped_column(Text)
    #: JSON: province, city, district, village, street, postal_code, phone
    delivery_address: Mapped[str | None] = mapped_column(Text)
    fee_pnbp: Mapped[int] = mapped_column(default=0)
    fee_service: Mapped[int] = mapped_column(default=0)
    fee_shipping: Mapped[int] = mapped_column(default=0)
    #: the optional delivery insurance the holder ticked (0: none); inside the virtual account
    fee_insurance: Mapped[int] = mapped_column(default=0)
    #: what the e-Rikkes and ePPsi tests cost, as their providers answered (renewal/health.py):
    #: paid to those providers already, shown on the bill but never in the virtual account
    fee_health: Mapped[int] = mapped_column(default=0)
    fee_psych: Mapped[int] = mapped_column(default=0)
    #: rejection reason code (data_not_found, data_mismatch, unclear_documents,
    #: identity_not_confirmed) and the officer's note
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    reject_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    new_licence_id: Mapped[int | None] = mapped_column(
        ForeignKey("renewal_licence.id", ondelete="SET NULL")
    )
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    @property
    def total(self) -> int:
        """What the virtual account asks for (the certificates were paid to their providers)."""
        return self.fee_pnbp + self.fee_service + self.fee_shipping + self.fee_insurance

    @property
    def address(self) -> dict:
        return json.loads(self.delivery_address) if self.delivery_address else {}

    @property
    def refund_to(self) -> dict:
        return json.loads(self.refund_account) if self.refund_account else {}

    @property
    def evidence(self) -> list[dict]:
        return json.loads(self.identity_evidence or "[]")


class RenewalIdentityCheck(Base):
    """One try of the holder's camera identity check: the head-turn challenge the server issued
    (the result and its evidence go to the application through ``record_identity_result``)."""

    __tablename__ = "renewal_identity_check"
    __table_args__ = (UniqueConstraint("application_id", "try_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), index=True
    )
    try_number: Mapped[int]
    #: JSON of the faces.Challenge drawn by the server (actions and schedule); rows from before
    #: the action challenge hold ["left", "right"] or ["right", "left"]
    challenge_json: Mapped[str] = mapped_column(String(255))
    #: the face distance tolerance the check is decided with (config, kept with the decision)
    tolerance: Mapped[float]
    issued_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    #: pending | passed | failed (proctoring's Decision)
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(32))

    @property
    def challenge(self) -> Challenge:
        return Challenge.from_json(self.challenge_json)


class AppEvent(EventMixin, Base):
    """One state change of an application (the tracking page's timeline)."""

    __tablename__ = "renewal_application_event"
    owner_key = "application_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), index=True
    )


class RenewalDocument(Base):
    """An uploaded image, decoded and re-encoded (no metadata) before it was stored."""

    __tablename__ = "renewal_document"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE")
    )
    #: "photo" or "signature"
    kind: Mapped[str] = mapped_column(String(16))
    #: the document goes with its file (an account deletion removes both)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    width: Mapped[int]
    height: Mapped[int]
    #: photo: distance to the licence photo's face, the tolerance used and the verdict
    face_distance: Mapped[float | None]
    face_tolerance: Mapped[float | None]
    weak_match: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class SurveyResponse(Base):
    """The holder's satisfaction survey (IKM, PermenPAN-RB 14/2017) of one application, given
    before payment: each of the nine elements answered 1-4 or left out; a skipped survey is a
    row too (so it is asked once)."""

    __tablename__ = "renewal_survey"
    __table_args__ = tuple(
        CheckConstraint(f"{name} between 1 and 4", name=f"survey_{name}")
        for name in (
            "requirements",
            "procedure",
            "duration",
            "cost",
            "product",
            "competence",
            "behaviour",
            "complaints",
            "facilities",
        )
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one response per application: a second tab or a double submit keeps the first
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), unique=True
    )
    #: the nine elements (U1-U9), 1 (poor) to 4 (very good); None when left out
    requirements: Mapped[int | None]
    procedure: Mapped[int | None]
    duration: Mapped[int | None]
    cost: Mapped[int | None]
    product: Mapped[int | None]
    competence: Mapped[int | None]
    behaviour: Mapped[int | None]
    complaints: Mapped[int | None]
    facilities: Mapped[int | None]
    #: the holder pressed "skip" (every element None)
    skipped: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(index=True)


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"


class Payment(Base):
    """A virtual account issued by the payment provider for one application."""

    __tablename__ = "renewal_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    va_number: Mapped[str] = mapped_column(String(32), unique=True)
    #: integer rupiah
    amount: Mapped[int]
    status: Mapped[PaymentStatus] = mapped_column(String(16), default=PaymentStatus.PENDING)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    paid_at: Mapped[datetime | None]


class ProviderEvent(Base):
    """Every webhook event whose signature verified, from the payment provider or the courier,
    and what came of it: accepted, or refused and why (provider_events.py). An accepted event id
    is here once, which makes its replay a no-op; each refused try is here on its own."""

    __tablename__ = "renewal_provider_event"
    __table_args__ = (
        Index(
            "uq_renewal_provider_event_accepted",
            "kind",
            "provider",
            "event_id",
            unique=True,
            sqlite_where=text("accepted"),
            postgresql_where=text("accepted"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the webhook it came to: "payment" (payments and refunds) or "courier"
    kind: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    #: the provider's id of the event (None when the body was too malformed to name one)
    event_id: Mapped[str | None] = mapped_column(String(64))
    #: the virtual account a payment event is about, when it is ours
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("renewal_payment.id", ondelete="SET NULL")
    )
    #: the delivery order a courier event is about, when it is ours
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("renewal_delivery_order.id", ondelete="SET NULL")
    )
    #: the refund a refund event is about, when it is ours
    refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("renewal_refund.id", ondelete="SET NULL")
    )
    #: integer rupiah, as the event says
    amount: Mapped[int | None]
    #: answered with a 2xx (the event took effect or needed none) or refused with a 4xx
    accepted: Mapped[bool]
    #: accepted: paid, already_paid, ignored; a delivery state, unchanged. Refused: malformed,
    #: unknown_account, amount_mismatch, expired, unknown_shipment, unknown_status,
    #: illegal_transition, or the code of another refusal of the move
    outcome: Mapped[str] = mapped_column(String(32))
    #: why, in words (the refusals)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the event as parsed (JSON), or the body as sent when it did not parse
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class RefundStatus(enum.StrEnum):
    #: owed: not yet asked of the payment provider (the job asks after the rejection commits)
    PENDING = "pending"
    #: the provider's refund API took it (``provider_ref``); its signed webhook says the outcome
    REQUESTED = "requested"
    #: the provider confirmed the transfer to the holder's account (signed webhook)
    PAID = "paid"
    #: the provider could not pay it (a closed or wrong account): the holder corrects the
    #: account, and it is asked again
    FAILED = "failed"


class Refund(Base):
    """Money owed back after a rejection: the fees paid minus the bank fee, paid out through
    the payment provider's refund API and confirmed by its signed webhook (refunds.py)."""

    __tablename__ = "renewal_refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), unique=True
    )
    paid: Mapped[int]
    bank_fee: Mapped[int]
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    #: pending -> requested -> paid | failed -> pending (refunds.py, RefundStatus)
    status: Mapped[RefundStatus] = mapped_column(String(16), default=RefundStatus.PENDING)
    version: Mapped[int] = mapped_column(default=1)
    #: JSON copy of the application's refund account (bank, number, holder)
    account: Mapped[str | None] = mapped_column(Text)
    #: unguessable id; with ``attempt`` it is the idempotency key of the provider request
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    #: how many times it was asked of the provider (a failed refund is asked again)
    attempt: Mapped[int] = mapped_column(default=0)
    #: the payment provider that took the payment (it pays the refund back)
    provider: Mapped[str | None] = mapped_column(String(32))
    #: the provider's id of the current request (its webhook names it)
    provider_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: why the provider could not pay it (its words)
    failure: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    requested_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]


class OrderState(enum.StrEnum):
    CREATED = "created"
    PRINTED = "printed"
    PACKED = "packed"
    #: the courier is booked (tracking number) and the shipping label made
    LABELLED = "labelled"
    HANDED_TO_COURIER = "handed_to_courier"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RETURNED = "returned"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKED_UP = "picked_up"


class DeliveryOrder(Base):
    """Getting the new card to its holder, by courier or at the Satpas counter."""

    __tablename__ = "renewal_delivery_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_application.id", ondelete="CASCADE"), unique=True
    )
    licence_id: Mapped[int] = mapped_column(ForeignKey("renewal_licence.id"))
    method: Mapped[str] = mapped_column(String(10))
    state: Mapped[OrderState] = mapped_column(String(20), default=OrderState.CREATED)
    version: Mapped[int] = mapped_column(default=1)
    #: the card's print job (certificates.print_queue)
    print_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_job.id", ondelete="SET NULL"), index=True
    )
    courier: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    #: when an officer first opened the shipping label PDF to print it (the card is not
    #: handed to the courier before)
    label_printed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryEvent(EventMixin, Base):
    """One state change of a delivery order; courier events keep their id (replay safety)."""

    __tablename__ = "renewal_delivery_event"
    __table_args__ = (UniqueConstraint("source", "external_id"),)
    #: the reason is the ``note`` column (the courier, a tracking number, ...)
    owner_key, reason_column = "order_id", "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_delivery_order.id", ondelete="CASCADE"), index=True
    )
    #: officer, courier, print, holder, system
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64))
    note = synonym("reason")


class GraceStatus(enum.StrEnum):
    DRAFT = "draft"  # being written: nobody sees it, eligibility ignores it
    PUBLISHED = "published"  # in force: eligibility honours it, a closure pauses online starts
    WITHDRAWN = "withdrawn"  # no longer in force (kept for the record)


class GraceWindow(Base):
    """A service closure and the grace window (dispensasi) a police telegram opens after it:
    SIMs of ``classes`` that expired between ``expired_from`` and ``expired_until`` may be
    renewed from ``renew_from`` to ``renew_until`` through the channels named (closures.py)."""

    __tablename__ = "renewal_grace_window"
    __table_args__ = (
        CheckConstraint("expired_from <= expired_until", name="grace_expired_range"),
        CheckConstraint("renew_from <= renew_until", name="grace_renew_range"),
        CheckConstraint(
            "(closed_from IS NULL AND closed_until IS NULL) OR closed_from <= closed_until",
            name="grace_closed_range",
        ),
        CheckConstraint("online OR counter", name="grace_channel"),
        CheckConstraint("status in ('draft', 'published', 'withdrawn')", name="grace_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    #: what people call it ("Lebaran 2025")
    name: Mapped[str] = mapped_column(String(120))
    #: the services' closure (both or neither): online starts pause while it lasts
    closed_from: Mapped[date | None]
    closed_until: Mapped[date | None]
    #: the expiry dates the grace covers (inclusive)
    expired_from: Mapped[date]
    expired_until: Mapped[date]
    #: the renewal window (inclusive; holder's local date)
    renew_from: Mapped[date]
    renew_until: Mapped[date]
    #: the telegram's number ("ST/785/IV/YAN.1.1/2022"); "" while it is not known
    telegram: Mapped[str] = mapped_column(String(80), default="")
    #: the classes covered, comma-separated ("A,C"; registry.KNOWN_CLASSES)
    classes: Mapped[str] = mapped_column(String(80))
    #: the channels the grace window is open on: online renewal, the Satpas counter
    online: Mapped[bool] = mapped_column(default=False)
    counter: Mapped[bool] = mapped_column(default=False)
    #: where the dates come from (a public statement's address)
    source: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[GraceStatus] = mapped_column(String(16), default=GraceStatus.DRAFT)
    #: bumped by every change; the edit form sends it back so a stale tab is refused
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def class_list(self) -> list[str]:
        return [c for c in self.classes.split(",") if c]


class ReminderStatus(enum.StrEnum):
    #: a text waiting for the job that hands it to the channel after the run commits
    QUEUED = "queued"
    #: e-mailed (through the mail outbox), or handed to the channel
    SENT = "sent"
    #: the channel refused it MAX_TEXT_ATTEMPTS times
    FAILED = "failed"


class Reminder(Base):
    """One reminder to a licence's holder through one channel: the unique key is the claim,
    so two runs or two workers never send the same reminder twice (reminders.py). A text is
    queued here and handed to the channel by a job after the run commits, like mail."""

    __tablename__ = "renewal_reminder"
    __table_args__ = (
        UniqueConstraint("licence_id", "kind", "channel"),
        Index("ix_renewal_reminder_status_next_try_at", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(
        ForeignKey("renewal_licence.id", ondelete="CASCADE"), index=True
    )
    #: d90, d30, d7 (days before expiry) or grace (the first day of a grace window)
    kind: Mapped[str] = mapped_column(String(8))
    #: email, or the notification channel's name (sandbox, ...)
    channel: Mapped[str] = mapped_column(String(16))
    #: the address or number it went to
    recipient: Mapped[str] = mapped_column(String(255))
    #: the day it was due (the run's day)
    due_on: Mapped[date]
    #: queued -> sent | failed (ReminderStatus; e-mails are sent when made: the outbox delivers)
    status: Mapped[ReminderStatus] = mapped_column(String(12), default=ReminderStatus.SENT)
    #: a text's words, kept for the job that sends it
    text: Mapped[str | None] = mapped_column(Text)
    #: how many times the channel was asked
    attempts: Mapped[int] = mapped_column(default=0)
    #: a queued text is not tried again before this time (after a refusal)
    next_try_at: Mapped[datetime | None]
    #: the channel's last refusal
    failure: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class SandboxMessage(Base):
    """A text the SMS/WhatsApp sandbox channel "sent": what a phone would have received, shown
    on the admin sandbox page."""

    __tablename__ = "renewal_sandbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
