"""The delivery choice: courier to the holder's address or pick-up at the issuing Satpas office,
the courier's fee per province (the shipping table), the refund account; choosing moves the
application from delivery to payment. The delivery order that follows the approval, its state
machine, the courier and the counter are in delivery.py.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ujisim.accounts.nik import PROVINCES
from ujisim.core.errors import IllegalTransition
from ujisim.renewal import payments, pickup
from ujisim.renewal.application import advance, check_version, lock_application
from ujisim.renewal.models import AppState, Licence, RenewalApplication

DEFAULT_RATES = Path(__file__).with_name("shipping_rates.json")
ADDRESS_FIELDS = ("province", "city", "district", "village", "street", "postal_code", "phone")
#: banks a refund can be paid to (the larger Indonesian banks; a deployment's payment provider
#: decides the real list)
REFUND_BANKS = (
    "BRI",
    "BNI",
    "Bank Mandiri",
    "BCA",
    "BTN",
    "BSI",
    "CIMB Niaga",
    "Bank Permata",
    "Bank Danamon",
    "Bank Jago",
)


@functools.cache
def _load_rates(path: str) -> dict[str, int]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: int(v) for k, v in data.items() if not k.startswith("_")}


def shipping_rates() -> dict[str, int]:
    """Province -> courier fee (rupiah); "default" for provinces not listed."""
    return _load_rates(current_app.config.get("RENEWAL_SHIPPING_RATES") or str(DEFAULT_RATES))


def shipping_fee(province: str) -> int:
    rates = shipping_rates()
    return rates.get(province, rates["default"])


def provinces() -> list[str]:
    return sorted(PROVINCES.values())


@dataclass(frozen=True)
class DeliveryChoice:
    """A delivery choice as the delivery form checked it (``DeliveryForm.choice()``,
    renewal/forms.py: the one validator of its rules and messages, for the page and for any
    other caller, through ``forms.delivery_choice``)."""

    #: courier | pickup
    method: str
    #: the Satpas office that issues the card (one of core/offices)
    satpas: str
    #: the courier's address by ADDRESS_FIELDS (None for pick-up)
    address: dict[str, str] | None
    #: the refund account: bank (one of REFUND_BANKS), number (digits), holder
    refund_account: dict[str, str]
    #: pick-up by a proxy: the name and NIK as typed (empty: the holder picks up), checked
    #: against the holder's NIK by the service (pickup.check_proxy)
    proxy_name: str = ""
    proxy_nik: str = ""
    #: the optional delivery insurance (RENEWAL_INSURANCE_FEE, in the virtual account)
    insurance: bool = False


def check_can_choose(application: RenewalApplication, version=None) -> None:
    """Refuse (409) a delivery choice for an application no longer at the delivery step, or from
    a stale page (``version``); whatever the form's fields say."""
    check_version(application, version)
    if application.state != AppState.DELIVERY:
        raise IllegalTransition(_("The delivery of this application can no longer be chosen."))


def choose_delivery(
    session: Session,
    application: RenewalApplication,
    choice: DeliveryChoice,
    actor,
    version=None,
) -> RenewalApplication:
    """Keep the delivery choice (checked by the delivery form), the issuing Satpas office, the
    proxy who may pick the card up and the refund account, set the itemised fees and open the
    virtual account."""
    application = lock_application(session, application)
    check_can_choose(application, version)
    licence = session.get(Licence, application.licence_id)
    proxy = pickup.check_proxy(choice.proxy_name, choice.proxy_nik, licence.holder_nik)
    pickup.set_proxy(session, application, proxy if choice.method == "pickup" else None, actor)
    application.satpas = choice.satpas
    application.refund_account = json.dumps(choice.refund_account)
    application.delivery_method = choice.method
    application.delivery_address = json.dumps(choice.address) if choice.address else None
    fee = shipping_fee(choice.address["province"]) if choice.address else 0
    payments.set_fees(application, licence, fee, choice.insurance)
    session.flush()
    payments.open_payment(session, application)
    return advance(session, application, AppState.PAYMENT, actor, choice.method)
