"""The admin's grace-window form (renewal/admin.py): closure, expiry and renewal dates, the
police telegram, the classes and the channels, each fault with its own message."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, HiddenField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from ujisim.renewal.forms import _text
from ujisim.renewal.registry import KNOWN_CLASSES

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
