"""The bill before payment (itemised, its lines adding up to the virtual account, the optional
insurance, the tests paid to their providers shown as paid) with the genuine-account guidance,
and the satisfaction survey (IKM): optional, once per application, its results in the report."""

from datetime import timedelta

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import COURIER
from ujisim.core import clock as core_clock
from ujisim.core.security import Role
from ujisim.renewal import delivery_options, payments, survey
from ujisim.renewal.forms import delivery_choice
from ujisim.renewal.models import AppState, SurveyResponse

pytestmark = pytest.mark.both_backends

ALL = dict.fromkeys(survey.NAMES)


def responses(db) -> int:
    return db.scalar(select(func.count()).select_from(SurveyResponse))


# --- the bill -------------------------------------------------------------------------------------


def test_insurance_is_off_by_default_and_enters_the_account_when_ticked(db, walk, holder):
    application = walk(AppState.DELIVERY)
    choice = delivery_choice({**COURIER, "method": "courier", "insurance": "y"})
    delivery_options.choose_delivery(db, application, choice, holder)
    account = payments.current_payment(db, application)
    lines = payments.fee_lines(application)
    assert [line.amount for line in lines if line.in_account] == [80_000, 5_000, 15_000, 30_000]
    assert account.amount == application.total == 130_000
    assert delivery_choice({**COURIER, "method": "courier"}).insurance is False


def test_the_payment_page_itemises_the_bill_and_tells_the_genuine_account(
    client, db, holder, unpaid
):
    account = payments.current_payment(db, unpaid)
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{unpaid.public_id}").get_data(as_text=True)
    bill = page.split('id="bill"')[1].split("</table>")[0]
    for label, amount in (
        ("PNBP (state fee) for renewing SIM A", "Rp 80.000"),
        ("Service fee", "Rp 5.000"),
        ("Shipping", "Rp 15.000"),
    ):
        assert label in bill
        assert amount in bill
    assert 'id="total">Rp 100.000<' in bill
    assert f'id="va-amount">Rp {account.amount:,}<'.replace(",", ".") in page
    paid = page.split('id="paid-already"')[1].split("</table>")[0]
    assert "Psychological test (ePPsi)" in paid
    assert "Rp 77.500" in paid
    assert "Health test (e-Rikkes)" in paid
    assert "Rp 35.000" in paid
    assert "not charged again" in paid
    assert "ePPsi" not in bill
    assert "e-Rikkes" not in bill
    genuine = page.split('id="genuine-va"')[1].split("</section>")[0]
    assert "16 digits that starts with 7717" in genuine
    assert "Korlantas Polri - Sari Wulandari" in genuine
    assert "personal account" in genuine
    assert "SANDBOX" in genuine


def test_the_delivery_page_previews_the_costs(client, db, holder, walk):
    application = walk(AppState.DELIVERY)
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{application.public_id}").get_data(as_text=True)
    preview = page.split('id="cost-preview"')[1].split("</table>")[0]
    assert "Rp 80.000" in preview
    assert "Rp 30.000 if ticked" in preview
    assert "Rp 77.500" in preview
    assert "Rp 35.000" in preview
    assert 'name="insurance"' in page
    assert 'value="y" checked' not in page


# --- the survey -----------------------------------------------------------------------------------


def test_answers_are_kept_once_and_a_second_submit_keeps_the_first(db, holder, unpaid):
    first, created = survey.record_response(
        db, unpaid, {**ALL, "requirements": 4, "cost": 2}, holder
    )
    assert created
    assert not first.skipped
    assert (first.requirements, first.cost, first.procedure) == (4, 2, None)
    again, created = survey.record_response(db, unpaid, {**ALL, "requirements": 1}, holder)
    assert not created
    assert again.id == first.id
    assert again.requirements == 4
    assert responses(db) == 1


def test_the_database_keeps_one_response_per_application(db, holder, unpaid):
    """The second tab that slipped past the check still cannot add a second row."""
    survey.record_response(db, unpaid, ALL, holder, skipped=True)
    db.commit()
    db.add(SurveyResponse(application_id=unpaid.id, created_at=core_clock.now()))
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.flush()
    db.rollback()
    assert responses(db) == 1


def test_a_skip_and_an_empty_form_are_both_skips(db, holder, unpaid, walk, make_licence):
    skipped, _ = survey.record_response(db, unpaid, {**ALL, "cost": 3}, holder, skipped=True)
    assert skipped.skipped
    assert skipped.cost is None
    other = walk(AppState.PAYMENT, method="pickup", lic=make_licence(holder))
    empty, _ = survey.record_response(db, other, ALL, holder)
    assert empty.skipped


def test_anything_but_1_to_4_is_left_out(app):
    parsed = survey.parse_answers(
        {"requirements": "4", "cost": "5", "duration": "x", "product": ""}
    )
    assert parsed == {**ALL, "requirements": 4}


def test_the_survey_closes_after_payment(db, holder, walk):
    paid = walk(AppState.PAID)
    with pytest.raises(survey.IllegalTransition):
        survey.record_response(db, paid, {**ALL, "cost": 4}, holder)


def test_results_give_the_means_and_the_ikm(db, holder, make_licence, walk, clock):
    start = core_clock.now() - timedelta(days=1)
    first = walk(AppState.PAYMENT)
    survey.record_response(db, first, dict.fromkeys(survey.NAMES, 4), holder)
    second = walk(AppState.PAYMENT, method="pickup", lic=make_licence(holder))
    survey.record_response(
        db, second, {**dict.fromkeys(survey.NAMES, 2), "facilities": None}, holder
    )
    third = walk(AppState.PAYMENT, method="pickup", lic=make_licence(holder))
    survey.record_response(db, third, ALL, holder, skipped=True)
    found = survey.results(db, start, core_clock.now() + timedelta(seconds=1))
    assert (found.responses, found.skipped) == (3, 1)
    by_name = {e.name: e for e in found.elements}
    assert (by_name["cost"].count, by_name["cost"].mean) == (2, 3.0)
    assert (by_name["facilities"].count, by_name["facilities"].mean) == (1, 4.0)
    # 25 x the mean of the element means: (8 x 3.0 + 4.0) / 9 = 3.111 -> 77.78, grade B
    assert found.ikm == pytest.approx(25 * (8 * 3.0 + 4.0) / 9)
    assert found.grade[0] == "B"
    empty = survey.results(db, start - timedelta(days=9), start)
    assert (empty.responses, empty.ikm, empty.grade) == (0, None, None)


def test_the_page_answers_or_skips_in_one_click_and_keeps_one(client, db, holder, unpaid):
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{unpaid.public_id}").get_data(as_text=True)
    assert 'id="survey-form"' in page
    assert "Skip the survey" in page
    # the survey comes before the virtual account on the page
    assert page.index('id="survey"') < page.index('id="va-number"')
    url = f"/perpanjangan/{unpaid.public_id}/survei"
    assert client.submit(url, {"skip": "1"}).status_code == 303
    again = client.submit(url, {"requirements": "4"})  # a second tab's answers
    assert again.status_code == 303
    assert "already recorded" in client.get(again.headers["Location"]).get_data(as_text=True)
    row = db.scalars(select(SurveyResponse)).one()
    assert row.skipped
    assert row.requirements is None
    page = client.get(f"/perpanjangan/{unpaid.public_id}").get_data(as_text=True)
    assert 'id="survey-form"' not in page
    assert 'id="survey-done"' in page


def test_somebody_elses_survey_is_404(client, login, unpaid):
    login(Role.APPLICANT)
    assert (
        client.submit(f"/perpanjangan/{unpaid.public_id}/survei", {"skip": "1"}).status_code == 404
    )


def test_the_report_shows_the_results_to_staff(client, db, holder, unpaid, login):
    survey.record_response(db, unpaid, {**ALL, "behaviour": 3, "cost": 4}, holder)
    db.commit()
    login(Role.EXAMINER, locale="en")
    page = client.get("/examiner/reports/?from=2026-11-22&to=2026-11-22").get_data(as_text=True)
    table = page.split("Satisfaction survey (IKM)</h2>")[1]
    assert 'U7. Staff behaviour</th><td class="num">1</td><td class="num">3.00' in table
    assert "Responses: 1, of which skipped: 0." in table
    assert "IKM (25-100): 87.50 (grade B, good)" in table
    assert "PermenPAN-RB 14/2017" in table
