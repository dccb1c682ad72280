"""Account forms (Flask-WTF: CSRF on every form). Messages are in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import check_nik, parse_nik
from ujisim.accounts.passwords import MIN_LENGTH, is_common
from ujisim.accounts.services import normalise_email, normalise_phone
from ujisim.core import clock
from ujisim.core.security import Role

NIK_MESSAGES = {
    "digits": _l("The NIK may contain digits only."),
    "length": _l("The NIK must have exactly 16 digits."),
    "region": _l("The first six digits of this NIK are not a known region code."),
    "date": _l("Digits 7 to 12 of this NIK are not a valid birth date."),
    "serial": _l("The last four digits of the NIK cannot all be zero."),
    "birth_mismatch": _l(
        "The birth date inside the NIK does not match the date of birth you entered "
        "(for women the day in the NIK is increased by 40)."
    ),
}
REQUIRED = _l("This field is required.")
LENGTH = _l("Use between %(min)d and %(max)d characters.")

ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.EXAMINER: _l("Examiner"),
    Role.PRINT_SHOP: _l("Print shop"),
    Role.ADMIN: _l("Administrator"),
}


def strong_password(form, field) -> None:
    if len(field.data or "") < MIN_LENGTH:
        raise ValidationError(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
    if is_common(field.data):
        raise ValidationError(_l("This password is too common. Choose another one."))


class EmailMixin:
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=255, message=_l("Use at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "email"},
    )

    def validate_email(self, field) -> None:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(_l("Enter a valid e-mail address.")) from exc


class RegistrationForm(EmailMixin, FlaskForm):
    full_name = StringField(
        _l("Full name (as on your ID card)"),
        validators=[DataRequired(REQUIRED), Length(min=3, max=120, message=LENGTH)],
        render_kw={"autocomplete": "name"},
    )
    nik = StringField(
        _l("NIK (16 digits)"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[InputRequired(_l("Enter your date of birth."))],
        invalid_value_message=_l("Enter a date as day, month and year."),
        render_kw={"autocomplete": "bday"},
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[DataRequired(REQUIRED)],
        description=_l("For example +62 812 3456 7890 or 0812 3456 7890."),
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), strong_password],
        description=_l("At least 10 characters; not a common password."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_nik(self, field) -> None:
        try:
            if self.date_of_birth.data:
                check_nik(field.data, self.date_of_birth.data)
            else:
                parse_nik(field.data)
        except NikError as exc:
            raise ValidationError(NIK_MESSAGES[exc.code]) from exc

    def validate_date_of_birth(self, field) -> None:
        today = clock.now().date()
        if field.data is None:
            return
        if field.data > today or field.data.year < 1900:
            raise ValidationError(_l("Enter a real date of birth."))

    def validate_phone(self, field) -> None:
        if not normalise_phone(field.data):
            raise ValidationError(_l("Enter an Indonesian phone number, e.g. +62 812 3456 7890."))


class LoginForm(EmailMixin, FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(EmailMixin, FlaskForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED), strong_password],
        description=_l("At least 10 characters; not a common password."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices():
    return [(role.value, ROLE_LABELS[role]) for role in Role]


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)
    active = BooleanField(_l("Account active (may log in)"))


class DeleteAccountForm(FlaskForm):
    """Deleting an account cannot be undone: the administrator types its e-mail address."""

    confirm_email = StringField(
        _l("Type the account's e-mail address to confirm"),
        validators=[DataRequired(REQUIRED)],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_confirm_email(self, field) -> None:
        if normalise_email(field.data) != self.user.email:
            raise ValidationError(_l("This is not the account's e-mail address."))


class StaffUserForm(EmailMixin, FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(REQUIRED), Length(min=3, max=120, message=LENGTH)]
    )
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)

    def validate_roles(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))
