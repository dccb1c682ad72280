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
from wtforms import BooleanField, DateField, Field, HiddenField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from ujisim.accounts.nik import PROVINCES
from ujisim.core import offices
from ujisim.renewal import providers
from ujisim.renewal.delivery_options import ADDRESS_FIELDS, REFUND_BANKS, DeliveryChoice
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.registry import KNOWN_CLASSES

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


class DeliveryForm(ErrorsMixin, FlaskForm):
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
    refund_bank = StringField(filters=[_text(200)])
    #: spaces, dashes and dots dropped, as banks print account numbers
    refund_number = StringField(filters=[lambda v: re.sub(r"[\s\-.]", "", v or "")[:200]])
    #: inner runs of spaces kept as one
    refund_holder = StringField(filters=[lambda v: " ".join((v or "").split())[:120]])
    version = HiddenField()

    @property
    def courier(self) -> bool:
        return self.method.data == "courier"

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

    def validate_refund_bank(self, field: Field) -> None:
        if field.data not in REFUND_BANKS:
            raise ValidationError(_l("Choose the bank of the refund account."))

    def validate_refund_number(self, field: Field) -> None:
        if not ACCOUNT_NUMBER.fullmatch(field.data):
            raise ValidationError(_l("Enter the account number: 6 to 20 digits."))

    def validate_refund_holder(self, field: Field) -> None:
        if len(field.data) < 3:
            raise ValidationError(_l("Enter the name of the account holder."))

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
            refund_account={
                "bank": self.refund_bank.data,
                "number": self.refund_number.data,
                "holder": self.refund_holder.data,
            },
        )


def delivery_choice(values: Mapping[str, str]) -> DeliveryChoice:
    """A delivery choice from plain values (a caller that is not the page: a script, a test),
    checked by the delivery form's own rules; InvalidDocument naming each bad field (422)."""
    form = DeliveryForm(formdata=MultiDict(values), meta={"csrf": False})
    if not form.validate():
        raise InvalidDocument(_("Please correct the marked fields."), form.field_errors())
    return form.choice()


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


#: a police telegram's number as printed in the news: ST/<n>/<month>/... (the parts after the
#: month vary: "YAN.1.1/2024", "2022.YAN.1.1/2022", "YAN/1.1./2025")
TELEGRAM = re.compile(r"ST/[0-9]{1,5}/[0-9A-Za-z]{1,5}/[0-9A-Za-z./]{3,60}")
REQUIRED_DATE = _l("Enter a date as day, month and year.")


def _date_field(label, optional: bool = False) -> DateField:
    validators = [Optional()] if optional else [InputRequired(REQUIRED_DATE)]
    return DateField(label, validators=validators, invalid_value_message=REQUIRED_DATE)


def _empty(field: Field) -> bool:
    """Nothing typed in ``field`` (an optional field's validators do not run then)."""
    return not (field.raw_data and field.raw_data[0].strip())


def parse_classes(text: str) -> list[str]:
    """``"A, C"`` -> ["A", "C"] (upper case, "C I" written C1)."""
    text = re.sub(r"\bC\s+II\b", "C2", text.upper())
    text = re.sub(r"\bC\s+I\b", "C1", text)
    return [c for c in re.split(r"[\s,;/]+", text) if c]


class GraceWindowForm(FlaskForm):
    """A service closure and its grace window (closures.py), as an administrator enters it from
    the telegram or the police's public statement."""

    name = StringField(_l("Name"), filters=[_text(120)],
                       description=_l("What people call it, e.g. Lebaran 2025"))  # fmt: skip
    closed_from = _date_field(_l("Services closed from (empty: no closure)"), optional=True)
    closed_until = _date_field(_l("Services closed until"), optional=True)
    expired_from = _date_field(_l("Covers SIMs that expired from"))
    expired_until = _date_field(_l("Covers SIMs that expired until"))
    renew_from = _date_field(_l("Renewal window opens"))
    renew_until = _date_field(_l("Renewal window closes (last day)"))
    telegram = StringField(_l("Telegram number"), filters=[_text(80)],
                           description=_l("e.g. ST/785/IV/YAN.1.1/2022; leave empty while it "
                                          "is not known"))  # fmt: skip
    classes = StringField(_l("Classes"), filters=[_text(80)],
                          description=_l("Separated by commas, e.g. A, C"))  # fmt: skip
    online = BooleanField(_l("Online renewal"))
    counter = BooleanField(_l("Satpas counter"))
    source = StringField(_l("Source (address of the public statement)"), filters=[_text(500)])
    #: the window's ``version`` when the edit page was shown: a save after another change
    #: (a second tab, another administrator) is refused
    expected = HiddenField()

    def validate_name(self, field: Field) -> None:
        if len(field.data) < 3:
            raise ValidationError(_l("Give the grace window a name, e.g. Lebaran 2025."))

    def validate_closed_from(self, field: Field) -> None:
        if _empty(self.closed_until):
            raise ValidationError(_l("Give both days of the closure, or neither."))

    def validate_closed_until(self, field: Field) -> None:
        start = self.closed_from.data
        if _empty(self.closed_from):
            raise ValidationError(_l("Give both days of the closure, or neither."))
        if start is not None and field.data < start:
            raise ValidationError(_l("The closure ends before it starts."))

    def validate_expired_until(self, field: Field) -> None:
        start = self.expired_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The last expiry date covered is before the first."))

    def validate_renew_from(self, field: Field) -> None:
        if field.data is None:
            return
        closed, expired = self.closed_until.data, self.expired_until.data
        if closed is not None and field.data <= closed:
            raise ValidationError(
                _l(
                    "The renewal window must open after the closure ends (%(day)s).",
                    day=closed.isoformat(),
                )  # fmt: skip
            )
        if expired is not None and field.data <= expired:
            raise ValidationError(
                _l(
                    "The renewal window must open after the last expiry date it covers (%(day)s).",
                    day=expired.isoformat(),
                )  # fmt: skip
            )

    def validate_renew_until(self, field: Field) -> None:
        start = self.renew_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The renewal window closes before it opens."))

    def validate_telegram(self, field: Field) -> None:
        if field.data and not TELEGRAM.fullmatch(field.data):
            raise ValidationError(
                _l(
                    "A telegram number looks like ST/785/IV/YAN.1.1/2022. Leave the field "
                    "empty while the number is not known."
                )  # fmt: skip
            )

    def validate_classes(self, field: Field) -> None:
        classes = parse_classes(field.data)
        if not classes:
            raise ValidationError(_l("Name at least one class, e.g. A, C."))
        unknown = [c for c in classes if c not in KNOWN_CLASSES]
        if unknown:
            raise ValidationError(
                _l(
                    "Unknown class: %(cls)s. Known classes: %(known)s.",
                    cls=", ".join(unknown),
                    known=", ".join(KNOWN_CLASSES),
                )  # fmt: skip
            )

    def validate_counter(self, field: Field) -> None:
        if not (field.data or self.online.data):
            raise ValidationError(_l("Choose at least one channel: online or the counter."))

    def values(self) -> dict:
        """The checked values, as closures.add_window takes them (after ``validate``)."""
        return {
            "name": self.name.data,
            "closed_from": self.closed_from.data,
            "closed_until": self.closed_until.data,
            "expired_from": self.expired_from.data,
            "expired_until": self.expired_until.data,
            "renew_from": self.renew_from.data,
            "renew_until": self.renew_until.data,
            "telegram": self.telegram.data,
            "classes": ",".join(dict.fromkeys(parse_classes(self.classes.data))),
            "online": bool(self.online.data),
            "counter": bool(self.counter.data),
            "source": self.source.data,
        }
