import pytest
from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core.audit import AuditRecord

FORM = {
    "full_name": "Dewi  Lestari",
    "nik": "3174054507990003",
    "date_of_birth": "1999-07-05",
    "email": "Dewi@Example.ID",
    "phone": "0812-3456-7890",
    "password": "motor-biru-di-tikungan",
    "password_confirm": "motor-biru-di-tikungan",
}


def test_register_creates_an_applicant_and_logs_in(client, db):
    response = client.submit("/register", FORM)
    assert response.status_code == 302
    user = db.scalars(select(User).where(User.email == "dewi@example.id")).one()
    assert user.full_name == "Dewi Lestari"
    assert user.sex == "P"
    assert user.phone == "+6281234567890"
    assert user.timezone == "Asia/Jakarta"
    assert {r.role for r in user.roles} == {"applicant"}
    assert user.password_hash.startswith("$argon2id$")
    assert client.get("/account").status_code == 200
    actions = db.scalars(select(AuditRecord.action)).all()
    assert "accounts.registered" in actions


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "317405450799000", "NIK harus tepat 16 digit."),
        ("nik", "31740545079900ab", "NIK hanya boleh berisi angka."),
        ("nik", "3174054607990003", "tanggal di NIK ditambah 40"),  # born the 6th, not the 5th
        ("date_of_birth", "1999-02-31", "Masukkan tanggal berupa hari, bulan, dan tahun."),
        ("phone", "12345", "Masukkan nomor telepon Indonesia"),
        ("email", "dewi@", "Masukkan alamat surel yang valid."),
        ("password", "pendek", "Gunakan minimal 10 karakter."),
        ("password", "password123", "Kata sandi ini terlalu umum."),
        ("password", "qwertyuiop", "Kata sandi ini terlalu umum."),
        ("full_name", "", "Isian ini wajib diisi."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, db, field, value, message):
    form = dict(FORM, **{field: value})
    if field == "password":
        form["password_confirm"] = value
    before = db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    response = client.submit("/register", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert db.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_password_confirmation_must_match(client):
    response = client.submit("/register", dict(FORM, password_confirm="lain-sekali-123"))
    assert response.status_code == 422
    assert "Kata sandi tidak sama." in response.get_data(as_text=True)


def test_duplicate_email_or_nik_is_a_conflict_with_field_messages(client, db, make_user):
    make_user(email="dewi@example.id")
    response = client.submit("/register", FORM)
    assert response.status_code == 409
    assert "Akun dengan surel ini sudah ada" in response.get_data(as_text=True)
    make_user(email="other@example.id", nik="3174054507990003")
    response = client.submit("/register", dict(FORM, email="baru@example.id"))
    assert response.status_code == 409
    assert "Akun dengan NIK ini sudah ada" in response.get_data(as_text=True)


def test_registration_in_english(client):
    client.submit("/lang", {"lang": "en"})
    response = client.submit("/register", dict(FORM, nik="123"))
    assert "The NIK must have exactly 16 digits." in response.get_data(as_text=True)


def test_second_insert_of_the_same_account_is_a_conflict_not_a_crash(db):
    """Two requests racing past the duplicate check (a double click on PostgreSQL)."""
    from datetime import date

    from ujisim.accounts import services
    from ujisim.accounts.errors import DuplicateAccountError

    fields = dict(FORM, date_of_birth=date(1999, 7, 5))
    del fields["password_confirm"]
    services.register_applicant(db, **fields)
    original = services.get_user_by_email
    services.get_user_by_email = lambda session, email: None  # the racing twin saw nothing
    try:
        with pytest.raises(DuplicateAccountError):
            services.register_applicant(db, **dict(fields, nik="3174054507990005"))
    finally:
        services.get_user_by_email = original
    assert db.scalars(select(User).where(User.email == "dewi@example.id")).one()
