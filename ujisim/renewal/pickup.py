"""The counter pick-up at the issuing Satpas office: by the holder, or by a proxy the holder
named (name and NIK) who brings a power of attorney (surat kuasa); and what the holder is told
once the card is ready (the office, its hours, what to bring)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import parse_nik
from ujisim.core import audit
from ujisim.core.documents import mask_nik
from ujisim.core.errors import IllegalTransition
from ujisim.renewal.application import check_version, lock_application
from ujisim.renewal.delivery import advance_order, get_order, lock_order
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.models import (
    AppState,
    DeliveryOrder,
    Licence,
    OrderState,
    RenewalApplication,
)

#: the application states in which the holder may still name or change the proxy (the card is
#: not picked up yet: the order's state is checked as well)
PROXY_STATES = (AppState.DELIVERY, AppState.PAYMENT, AppState.PAID, AppState.APPROVED)


@dataclass(frozen=True)
class Proxy:
    """The person the holder authorises to pick the card up."""

    name: str
    nik: str


def check_proxy(name: str, nik: str, holder_nik: str) -> Proxy | None:
    """The proxy in the holder's words, checked (None when both are empty): a name and a
    well-formed NIK that is not the holder's own. InvalidDocument names each bad field."""
    name = " ".join((name or "").split())[:120]
    nik = re.sub(r"[\s.-]", "", nik or "")
    if not name and not nik:
        return None
    problems = {}
    if len(name) < 3:
        problems["proxy_name"] = _("Enter the full name of the person picking up the card.")
    try:
        parse_nik(nik)
    except NikError:
        problems["proxy_nik"] = _("Enter the 16-digit NIK on the KTP of that person.")
    else:
        if nik == holder_nik:
            problems["proxy_nik"] = _(
                "That is your own NIK. Leave the proxy empty to pick the card up yourself."
            )
    if problems:
        raise InvalidDocument(next(iter(problems.values())), problems)
    return Proxy(name, nik)


def set_proxy(session: Session, application: RenewalApplication, proxy: Proxy | None, actor):
    """Keep ``proxy`` on the application; a change is audited with the old and new values
    (NIKs masked)."""
    old = (application.proxy_name, application.proxy_nik)
    new = (proxy.name, proxy.nik) if proxy else (None, None)
    if old == new:
        return
    application.proxy_name, application.proxy_nik = new
    audit.record(
        session,
        "renewal.proxy_named" if proxy else "renewal.proxy_cleared",
        actor=actor,
        object_type="renewal",
        object_id=application.public_id,
        data={
            "old": {"name": old[0], "nik": mask_nik(old[1]) if old[1] else None},
            "new": {"name": new[0], "nik": mask_nik(new[1]) if new[1] else None},
        },
    )
    session.flush()


def name_proxy(
    session: Session, application: RenewalApplication, name: str, nik: str, actor, version=None
) -> RenewalApplication:
    """The holder names (or, with both fields empty, withdraws) the proxy of a pick-up order,
    at any time before the card is picked up."""
    application = lock_application(session, application)
    check_version(application, version)
    order = get_order(session, application)
    if (
        application.delivery_method != "pickup"
        or application.state not in PROXY_STATES
        or (order is not None and order.state == OrderState.PICKED_UP)
    ):
        raise IllegalTransition(_("A proxy can only be named for a card not yet picked up."))
    licence = session.get(Licence, application.licence_id)
    set_proxy(session, application, check_proxy(name, nik, licence.holder_nik), actor)
    return application


def hand_over_at_counter(
    session: Session,
    order: DeliveryOrder,
    actor,
    nik_presented: str,
    power_of_attorney_seen: bool = False,
    version=None,
) -> DeliveryOrder:
    """Pick-up: the officer compared the person with the KTP. Its NIK is the holder's, or the
    named proxy's who also shows the holder's surat kuasa; anyone else is refused (the view
    audits the refusal). The hand-over is audited with who took the card."""
    order = lock_order(session, order)
    licence = session.get(Licence, order.licence_id)
    application = session.get(RenewalApplication, order.application_id)
    nik = re.sub(r"\D", "", nik_presented or "")
    if nik == licence.holder_nik:
        taken_by, note = "holder", "identity checked at the counter"
    elif application.proxy_nik and nik == application.proxy_nik:
        if not power_of_attorney_seen:
            raise InvalidDocument(
                _(
                    "The proxy must show the holder's signed power of attorney (surat kuasa). "
                    "Do not hand over the card without it."
                ),
                {"power_of_attorney": "required"},
            )
        taken_by, note = "proxy", "proxy's KTP and surat kuasa checked at the counter"
    else:
        raise InvalidDocument(
            _(
                "The NIK on the ID card presented is neither the holder's nor that of the proxy "
                "the holder named. Do not hand over the card."
            ),
            {"nik": "mismatch"},
        )
    order = advance_order(
        session,
        order,
        OrderState.PICKED_UP,
        source="officer",
        actor=actor,
        note=note,
        version=version,
    )
    audit.record(
        session,
        "delivery.handed_over",
        actor=actor,
        object_type="delivery_order",
        object_id=order.public_id,
        data={
            "taken_by": taken_by,
            "name": licence.holder_name if taken_by == "holder" else application.proxy_name,
            "nik": mask_nik(nik),
            "power_of_attorney_seen": taken_by == "proxy",
        },
    )
    return order


def audit_refused_pickup(session: Session, order_public_id: str, actor, nik_presented: str):
    """The record of a refused hand-over (on the caller's write session, which commits it)."""
    digits = re.sub(r"\D", "", nik_presented or "")
    audit.record(
        session,
        "delivery.pickup_refused",
        actor=actor,
        object_type="delivery_order",
        object_id=order_public_id,
        data={"nik": mask_nik(digits) if len(digits) == 16 else "(malformed)"},
    )
