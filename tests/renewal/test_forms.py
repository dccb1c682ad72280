"""The renewal pages' Flask-WTF forms (renewal/forms.py): the start, the delivery choice and the
sandbox payment, with the rules and messages the renewal has always had."""

import json
from contextlib import ExitStack
from datetime import date

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import COURIER
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.forms import DeliveryForm, SandboxPayForm, StartForm, delivery_choice
from ujisim.renewal.models import AppState, RenewalApplication


@pytest.fixture
def posted(app):
    """The form ``cls`` filled in from a POST of ``data`` (no CSRF token: the app checks it
    before any view). Its request stays open for the test: messages are translated when read."""
    with ExitStack() as stack:

        def make(cls, data: dict):
            # an app context of its own, as each request has (its language is chosen afresh)
            stack.enter_context(app.app_context())
            stack.enter_context(app.test_request_context(method="POST", data=data))
            form = cls(meta={"csrf": False})
            form.validate()
            return form

        yield make


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "drone"}, "method"),
        ({"satpas": "Satpas Entah"}, "satpas"),
        ({"province": "Atlantis"}, "province"),
        ({"city": ""}, "city"),
        ({"district": "x"}, "district"),
        ({"village": " "}, "village"),
        ({"street": ""}, "street"),
        ({"postal_code": "1216"}, "postal_code"),
        ({"postal_code": "12l60"}, "postal_code"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+1 202 555 0100"}, "phone"),
        ({"refund_bank": "Bank Entah"}, "refund_bank"),
        ({"refund_bank": ""}, "refund_bank"),
        ({"refund_number": "12345"}, "refund_number"),
        ({"refund_number": "12AB5678"}, "refund_number"),
        ({"refund_number": "1" * 21}, "refund_number"),
        ({"refund_holder": " x "}, "refund_holder"),
    ],
)
def test_a_bad_delivery_field_is_named_alone(app, posted, change, field):
    # the one table of the delivery rules: the page's form, and the same form for a caller
    # that is not a page (delivery_choice), which the delivery service takes its choice from
    form = posted(DeliveryForm, {**COURIER, "method": "courier", **change})
    assert set(form.field_errors()) == {field}
    with pytest.raises(InvalidDocument) as refused:
        delivery_choice({**COURIER, "method": "courier", **change})
    assert refused.value.fields == form.field_errors()
    assert refused.value.status == 422


def test_the_messages_are_the_translated_ones_of_the_delivery_service(posted):
    form = posted(DeliveryForm, {**COURIER, "method": "drone", "phone": "1"})
    assert form.field_errors() == {"method": "Pilih pengiriman kurir atau ambil sendiri."}
    form = posted(DeliveryForm, {**COURIER, "method": "courier", "phone": "1"})
    assert form.field_errors() == {"phone": "Isi nomor ponsel, misalnya 081234567890."}


def test_every_problem_is_named_at_once(posted):
    form = posted(DeliveryForm, {**COURIER, "satpas": "", "postal_code": "123", "phone": "1"})
    assert set(form.field_errors()) == {"method", "satpas"}  # no method: no address checked
    form = posted(
        DeliveryForm, {**COURIER, "method": "courier", "satpas": "", "postal_code": "123"}
    )
    assert set(form.field_errors()) == {"satpas", "postal_code"}


def test_pick_up_needs_no_address_but_a_refund_account(posted):
    account = {k: COURIER[k] for k in ("satpas", "refund_bank", "refund_number", "refund_holder")}
    form = posted(DeliveryForm, {**account, "method": "pickup", "street": "ignored"})
    assert form.field_errors() == {}
    assert (form.choice().method, form.choice().address) == ("pickup", None)
    form = posted(DeliveryForm, {"method": "pickup", "satpas": COURIER["satpas"]})
    assert set(form.field_errors()) == {"refund_bank", "refund_number", "refund_holder"}


def test_good_values_are_normalised_as_the_delivery_service_keeps_them(posted):
    form = posted(
        DeliveryForm,
        {
            **COURIER,
            "method": "courier",
            "street": "  Jl. Melati 5  ",
            "refund_holder": " Sari  W ",
        },
    )
    assert form.field_errors() == {}
    choice = form.choice()
    assert (choice.method, choice.satpas) == ("courier", COURIER["satpas"])
    assert (choice.address["phone"], choice.address["street"]) == ("081234567890", "Jl. Melati 5")
    assert choice.refund_account == {
        "bank": "BRI",
        "number": "012301000123501",
        "holder": "Sari W",
    }
    assert form.values()["phone"] == COURIER["phone"]  # shown again as typed


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [("80000", 80000), ("80.000", 80000), ("Rp 80.000", 80000), ("rp. 125000", 125000)],
)
def test_the_sandbox_amount_is_read_as_people_write_it(posted, typed, rupiah):
    form = posted(SandboxPayForm, {"amount": typed})
    assert not form.errors
    assert form.rupiah == rupiah


@pytest.mark.parametrize("typed", ["", "abc", "-5", "80,000", "1" * 13, "Rp"])
def test_anything_else_is_refused_with_the_pages_message(posted, typed):
    form = posted(SandboxPayForm, {"amount": typed})
    assert [str(e) for e in form.amount.errors] == [
        "Masukkan jumlah dalam rupiah, hanya angka (misalnya 80000)."
    ]
    assert form.rupiah is None


@pytest.mark.parametrize("typed", ["", "1990-02-30", "30/01/1990", "kemarin"])
def test_a_renewal_starts_only_with_a_date_of_birth(posted, typed):
    form = posted(StartForm, {"number": "1234-5678-000001", "nik": "3171", "date_of_birth": typed})
    assert form.field_errors() == {"date_of_birth": "Masukkan tanggal lahir Anda."}
    assert form.born is None


def test_the_start_form_passes_the_registry_its_values_as_typed(posted):
    form = posted(
        StartForm, {"number": " 1234 ", "nik": "3171" * 20, "date_of_birth": "1990-01-30"}
    )
    assert form.field_errors() == {}
    assert (form.number.data, len(form.nik.data), form.born) == (" 1234 ", 40, date(1990, 1, 30))


def test_the_delivery_page_names_each_bad_field_and_changes_nothing(client, db, holder, walk):
    application = walk(AppState.DELIVERY)
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{application.public_id}/pengiriman"
    bad = {**COURIER, "method": "courier", "postal_code": "123", "refund_number": "12"}
    refused = client.submit(url, bad)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "The postal code has 5 digits." in page  # the holder reads English
    assert "Enter the account number: 6 to 20 digits." in page
    assert 'value="123"' in page  # what was typed is shown again
    db.expire_all()
    assert db.get(RenewalApplication, application.id).state == AppState.DELIVERY
    done = client.submit(url, {**COURIER, "method": "courier"})
    assert done.status_code == 303
    db.expire_all()
    chosen = db.get(RenewalApplication, application.id)
    assert (chosen.state, chosen.delivery_method) == (AppState.PAYMENT, "courier")
    assert json.loads(chosen.delivery_address)["phone"] == "081234567890"
