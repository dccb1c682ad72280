"""Flask-WTF forms of the renewal pages (CSRF on each, like every form of the site).

The delivery form checks the delivery choice, the issuing Satpas office and the refund account
with the rules and messages the renewal has always had (a mobile number such as 0812..., a
five-digit postal code, 6 to 20 account digits); the pages show each message beside its field
(``field_errors``) and keep what was typed (``values``). It is the one validator of these
fields: the delivery service takes only its checked ``choice()``, and a caller that is not the
page goes through the same form (``delivery_choice``). The sandbox payment form reads an amount
in rupiah the way people write it (``80000``, ``80.000``, ``Rp 80.000``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, HiddenField, StringField
from wtforms.validators import ValidationError

from ujisim.accounts.nik import PROVINCES
from ujisim.core import offices
from ujisim.renewal import providers
from ujisim.renewal.delivery_options import ADDRESS_FIELDS, REFUND_BANKS, DeliveryChoice
from ujisim.renewal.errors import InvalidDocument

POSTAL_CODE = re.compile(r"[1-9][0-9]{4}")
PHONE = re.compile(r"(\+62|62|0)8[0-9]{7,12}")
ACCOUNT_NUMBER = re.compile(r"\d{6,20}")
RUPIAH = re.compile(r"\d{1,12}")
#: the address lines a courier needs, each at least two characters, and their messages
ADDRESS_LINES = {
    "city": _l("Enter the city or regency."),
    "district": _l("Enter the district (kecamatan)."),
    "village": _l("Enter the village (kelurahan/desa)."),
    "street": _l("Enter the street, house number, RT/RW."),
}


def _text(limit: int):
    """A filter: the value stripped and cut to ``limit`` characters ("" for none)."""
    return lambda value: (value or "").strip()[:limit]


def _cut(limit: int):
    """A filter: the value as typed, cut to ``limit`` characters ("" for none)."""
    return lambda value: (value or "")[:limit]


def iso_date(text: str | None) -> date | None:
    """``2026-03-01`` (what a date input sends) -> that date; None for anything else."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


class ErrorsMixin:
    """The form's first error of each field by name, as the renewal pages show them."""

    def field_errors(self) -> dict[str, str]:
        return {name: str(errors[0]) for name, errors in self.errors.items() if errors}

    def values(self) -> dict[str, str]:
        """What was typed, to show again (files and the CSRF token excepted)."""
        return {
            name: str(field.raw_data[0])[:200] if field.raw_data else ""
            for name, field in self._fields.items()
            if name != "csrf_token" and isinstance(field, StringField)
        }


class StartForm(ErrorsMixin, FlaskForm):
    """Start a renewal: the SIM number, the NIK and the date of birth (the renewal service checks
    them against the licence registry)."""

    number = StringField(filters=[_cut(40)])
    nik = StringField(filters=[_cut(40)])
    date_of_birth = StringField(filters=[_cut(40)])

    def validate_date_of_birth(self, field: Field) -> None:
        if iso_date(field.data) is None:
            raise ValidationError(_l("Enter your date of birth."))

    @property
    def born(self) -> date | None:
        return iso_date(self.date_of_birth.data)


class DocumentsForm(ErrorsMixin, FlaskForm):
    """The documents of a renewal: the photo and signature files, the health and psychology
    certificates' numbers and dates. The documents service checks each (messages beside the
    fields), so a missing file or an unreadable date reaches it as empty."""

    photo = FileField()
    signature = FileField()
    health_number = StringField(filters=[_cut(60)])
    health_date = StringField(filters=[_cut(60)])
    psych_number = StringField(filters=[_cut(60)])
    psych_date = StringField(filters=[_cut(60)])
    version = HiddenField()

    def upload(self, name: str) -> bytes:
        """The bytes of the file sent as ``name`` (b"" for none)."""
        upload = self[name].data
        return upload.read() if upload else b""


class RefundAccountFields:
    """The account a refund is paid to: its fields and their rules (the delivery form, and the
    holder's correction after the bank could not pay)."""

    refund_bank = StringField(filters=[_text(200)])
    #: spaces, dashes and dots dropped, as banks print account numbers
    refund_number = StringField(filters=[lambda v: re.sub(r"[\s\-.]", "", v or "")[:200]])
    #: inner runs of spaces kept as one
    refund_holder = StringField(filters=[lambda v: " ".join((v or "").split())[:120]])

    def validate_refund_bank(self, field: Field) -> None:
        if field.data not in REFUND_BANKS:
            raise ValidationError(_l("Choose the bank of the refund account."))

    def validate_refund_number(self, field: Field) -> None:
        if not ACCOUNT_NUMBER.fullmatch(field.data):
            raise ValidationError(_l("Enter the account number: 6 to 20 digits."))

    def validate_refund_holder(self, field: Field) -> None:
        if len(field.data) < 3:
            raise ValidationError(_l("Enter the name of the account holder."))

    def refund_account(self) -> dict[str, str]:
        return {
            "bank": self.refund_bank.data,
            "number": self.refund_number.data,
            "holder": self.refund_holder.data,
        }


class RefundAccountForm(RefundAccountFields, ErrorsMixin, FlaskForm):
    """A refund's new account (the bank could not pay into the old one)."""

    version = HiddenField()


class DeliveryForm(RefundAccountFields, ErrorsMixin, FlaskForm):
    """Courier delivery (with an address) or pick-up, the Satpas office that issues the card and
    the account a refund is paid to."""

    method = StringField(filters=[_text(20)])
    satpas = StringField(filters=[_text(200)])
    province = StringField(filters=[_text(200)])
    city = StringField(filters=[_text(200)])
    district = StringField(filters=[_text(200)])
    village = StringField(filters=[_text(200)])
    street = StringField(filters=[_text(200)])
    postal_code = StringField(filters=[_text(200)])
    #: spaces and dashes dropped: 0812-3456-7890 is 081234567890
    phone = StringField(filters=[lambda v: re.sub(r"[\s\-]", "", (v or "").strip()[:200])])
    #: pick-up by a proxy (optional): checked with the holder's NIK (pickup.check_proxy)
    proxy_name = StringField(filters=[lambda v: " ".join((v or "").split())[:120]])
    proxy_nik = StringField(filters=[lambda v: re.sub(r"[\s.\-]", "", v or "")[:40]])
    #: the optional delivery insurance (off unless ticked)
    insurance = BooleanField()
    version = HiddenField()

    @property
    def courier(self) -> bool:
        return self.method.data == "courier"

    def values(self) -> dict[str, str]:
        return {**super().values(), "insurance": "y" if self.insurance.data else ""}

    def validate_method(self, field: Field) -> None:
        if field.data not in ("courier", "pickup"):
            raise ValidationError(_l("Choose courier delivery or pick-up."))

    def validate_satpas(self, field: Field) -> None:
        if field.data not in offices.offices():
            raise ValidationError(_l("Choose the Satpas office that issues your new card."))

    def validate_province(self, field: Field) -> None:
        if self.courier and field.data not in PROVINCES.values():
            raise ValidationError(_l("Choose the province."))

    def validate_postal_code(self, field: Field) -> None:
        if self.courier and not POSTAL_CODE.fullmatch(field.data):
            raise ValidationError(_l("The postal code has 5 digits."))

    def validate_phone(self, field: Field) -> None:
        if self.courier and not PHONE.fullmatch(field.data):
            raise ValidationError(_l("Enter a mobile number such as 081234567890."))

    def _address_line(self, field: Field) -> None:
        if self.courier and len(field.data) < 2:
            raise ValidationError(ADDRESS_LINES[field.name])

    validate_city = validate_district = validate_village = validate_street = _address_line

    def choice(self) -> DeliveryChoice:
        """The checked values, as the delivery service takes them (after ``validate``)."""
        return DeliveryChoice(
            method=self.method.data,
            satpas=self.satpas.data,
            address={name: self[name].data for name in ADDRESS_FIELDS} if self.courier else None,
            refund_account=self.refund_account(),
            proxy_name="" if self.courier else self.proxy_name.data,
            proxy_nik="" if self.courier else self.proxy_nik.data,
            insurance=bool(self.insurance.data),
        )


def delivery_choice(values: Mapping[str, str]) -> DeliveryChoice:
    """A delivery choice from plain values (a caller that is not the page: a script, a test),
    checked by the delivery form's own rules; InvalidDocument naming each bad field (422)."""
    form = DeliveryForm(formdata=MultiDict(values), meta={"csrf": False})
    if not form.validate():
        raise InvalidDocument(_("Please correct the marked fields."), form.field_errors())
    return form.choice()


class SandboxTestForm(ErrorsMixin, FlaskForm):
    """SANDBOX: the e-Rikkes or ePPsi test a tester takes (kind, result and date)."""

    kind = StringField(filters=[_text(10)])
    result = StringField(filters=[_text(10)], default="fit")
    issued_on = StringField(filters=[_text(20)])

    def validate_kind(self, field: Field) -> None:
        if field.data not in ("health", "psych"):
            raise ValidationError(_l("Choose the health or the psychological test."))

    def validate_result(self, field: Field) -> None:
        if field.data not in ("fit", "not_fit"):
            raise ValidationError(_l("Choose the result: fit or not fit."))

    def validate_issued_on(self, field: Field) -> None:
        if field.data and iso_date(field.data) is None:
            raise ValidationError(_l("Give the date as YYYY-MM-DD, or leave it empty for today."))

    @property
    def day(self) -> date | None:
        return iso_date(self.issued_on.data)


def rupiah_amount(text: str | None) -> int | None:
    """``80000``, ``80.000`` or ``Rp 80.000`` -> 80000; None for anything else, and for more
    than a payment event may name (providers.MAX_AMOUNT)."""
    digits = re.sub(r"^\s*(rp\.?)?\s*", "", text or "", flags=re.IGNORECASE).replace(".", "")
    if not RUPIAH.fullmatch(digits.strip()):
        return None
    amount = int(digits)
    return amount if amount <= providers.MAX_AMOUNT else None


class SandboxPayForm(FlaskForm):
    """SANDBOX: the amount a tester pays into the virtual account."""

    amount = StringField(filters=[lambda v: (v or "")[:40]])

    def validate_amount(self, field: Field) -> None:
        if rupiah_amount(field.data) is None:
            raise ValidationError(
                _l("Enter the amount in rupiah, digits only (for example 80000).")
            )

    @property
    def rupiah(self) -> int | None:
        return rupiah_amount(self.amount.data)
