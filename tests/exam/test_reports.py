"""Daily report: counts per local day, pass rate, duration, queues with ages, sources not yet
available (per Satpas), and the CSV and PDF exports parsed back."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pypdf
import pytest

from tests.exam.conftest import answer_all
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy, reports, signals
from ujisim.question_bank import authoring_services
from ujisim.question_bank.content import ItemContent, Option

# The frozen clock starts at 2026-11-22 03:00 UTC = 10:00 WIB.
DAY = date(2026, 11, 22)


@pytest.fixture
def sit(db, bank, make_user, frozen_clock):
    """``sit(correct, minutes, vehicle_class)``: an exam taking ``minutes`` from start to submit."""

    def do(correct: int, minutes: int = 10, vehicle_class: str = "A", satpas: str | None = None):
        user = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
        blueprint = policy.current_blueprint(db, vehicle_class)
        attempt = attempts.create_attempt(db, user, blueprint, satpas)
        attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
        db.commit()
        answer_all(db, attempt, correct)
        frozen_clock.advance(minutes=minutes)
        grading.submit(db, attempt, user)
        db.commit()
        return attempt

    return do


@pytest.fixture
def two_days(sit, frozen_clock):
    # 22 Nov: A 25 (pass, 10 min, Tegal), A 12 (fail, 20 min, Tegal), C 21 (pass, 15 min,
    # Denpasar)
    sit(25, 10, satpas="Satpas Polres Tegal")
    sit(12, 20, satpas="Satpas Polres Tegal")
    sit(21, 15, "C", satpas="Satpas Polresta Denpasar")
    # 23 Nov (WIB): A 30 (pass, 30 min, Tegal)
    frozen_clock.advance(days=1)
    sit(30, 30, satpas="Satpas Polres Tegal")


def test_daily_figures(db, two_days):
    report = reports.daily_report(
        db, DAY - timedelta(days=1), DAY + timedelta(days=1), "Asia/Jakarta"
    )
    by_day = {r.day: r for r in report.days}
    assert by_day[DAY - timedelta(days=1)].exams == 0
    first = by_day[DAY]
    assert (first.exams, first.passed) == (3, 2)
    assert first.pass_rate == pytest.approx(2 / 3)
    # durations 10, 20, 15 minutes -> mean 15 min = 900 s
    assert first.average_duration_s == pytest.approx(900)
    assert first.by_class == {"A": [2, 1], "C": [1, 1], "C1": [0, 0], "C2": [0, 0]}
    second = by_day[DAY + timedelta(days=1)]
    assert (second.exams, second.passed, second.average_duration_s) == (1, 1, 1800)
    totals = report.totals
    assert (totals.exams, totals.passed) == (4, 3)
    # the renewal domain counts renewals: none on these days
    assert first.extra["renewals"] == 0
    assert totals.extra["renewals"] == 0
    series = reports.pass_rate_series(report)
    assert series["SIM A"] == [(DAY, 0.5), (DAY + timedelta(days=1), 1.0)]


def test_paused_time_is_not_exam_time(db, bank, make_user, frozen_clock):
    """10 minutes answering, 25 paused for a proctoring re-check, 5 more: 15 minutes of exam;
    a paper left to time out counts its whole limit however long the pause."""
    user = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
    attempt = attempts.create_attempt(db, user, policy.current_blueprint(db, "A"), None)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    answer_all(db, attempt, 25)
    frozen_clock.advance(minutes=10)
    attempts.advance(db, attempt, attempts.AttemptState.PAUSED, user)
    frozen_clock.advance(minutes=25)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    frozen_clock.advance(minutes=5)
    grading.submit(db, attempt, user)
    other = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
    late = attempts.create_attempt(db, other, policy.current_blueprint(db, "A"), None)
    attempts.advance(db, late, attempts.AttemptState.STARTED, other)
    attempts.advance(db, late, attempts.AttemptState.PAUSED, other)
    frozen_clock.advance(minutes=50)
    attempts.advance(db, late, attempts.AttemptState.STARTED, other)
    frozen_clock.advance(minutes=31)
    assert grading.sweep(db) == 1
    db.commit()
    row = reports.daily_report(db, DAY, DAY, "Asia/Jakarta").days[0]
    assert row.exams == 2
    assert row.average_duration_s == pytest.approx((15 * 60 + 30 * 60) / 2)


def test_days_follow_the_zone(db, sit, frozen_clock):
    frozen_clock.advance(hours=14)  # 17:00 UTC on 22 Nov = 00:00 WIB on 23 Nov
    sit(25, 1)
    wib = reports.daily_report(db, DAY, DAY + timedelta(days=1), "Asia/Jakarta")
    assert [r.exams for r in wib.days] == [0, 1]


def test_queues(db, make_user, frozen_clock):
    author = make_user(Role.EXAMINER)
    content = ItemContent(
        code="RB-900",
        classes=("A",),
        category="pengetahuan",
        topic="rambu",
        stem="Rambu apa ini?",
        options=(Option("Larangan", True), Option("Perintah")),
        explanation="Penjelasan.",
        legal_basis="PM 13/2014",
        difficulty=1,
    )
    item = authoring_services.create_item(db, content, author=author)
    authoring_services.submit_for_review(db, item, actor=author)
    db.commit()
    frozen_clock.advance(hours=5)
    queues = {q.name: q for q in reports.pending_queues(db)}
    review = queues["review"]
    assert (review.available, review.count) == (True, 1)
    assert review.age == timedelta(hours=5)
    for name in ("verification", "print", "delivery"):  # plugged in by their domains, empty
        assert (queues[name].available, queues[name].count) == (True, 0)


def archive_queue(_sender):
    """A domain's answer to the report: a queue of its own."""
    return [reports.Source("archive", "Arsip", lambda session: reports.QueueStatus(7, None))]


def second_print_queue(_sender):
    """A second answer for the print queue, which the certificates already provide."""
    return [reports.Source("print", "Cetak", lambda session: reports.QueueStatus(7, None))]


def test_a_domain_plugs_in_its_queue(db):
    with signals.report_queues.connected_to(archive_queue):
        rows = reports.pending_queues(db)
    names = [q.name for q in rows]
    assert names == ["review", "verification", "print", "delivery", "archive"]
    assert (rows[-1].available, rows[-1].count, rows[-1].age) == (True, 7, None)
    assert "archive" not in {q.name for q in reports.pending_queues(db)}  # disconnected again


def test_two_providers_of_one_queue_are_refused(db):
    with (
        signals.report_queues.connected_to(second_print_queue),
        pytest.raises(RuntimeError, match="two report sources named 'print'"),
    ):
        reports.pending_queues(db)


def test_csv_exports_parse_back(client, login, two_days):
    login(Role.EXAMINER)
    response = client.get("/examiner/reports/daily.csv?from=2026-11-22&to=2026-11-23")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["date"] for r in rows] == ["2026-11-22", "2026-11-23"]
    assert rows[0]["exams"] == "3"
    assert rows[0]["passed"] == "2"
    assert rows[0]["pass_rate"] == "0.6667"
    assert rows[0]["average_duration_s"] == "900.0"
    assert rows[0]["exams_C"] == "1"
    assert rows[0]["renewals"] == "0"  # the renewal domain counts them: none that day
    queues = client.get("/examiner/reports/queues.csv?to=2026-11-23").get_data(as_text=True)
    by_name = {r["queue"]: r for r in csv.DictReader(io.StringIO(queues))}
    assert by_name["review"]["available"] == "yes"
    assert by_name["review"]["count"] == "0"
    assert by_name["print"]["available"] == "yes"
    assert by_name["print"]["count"] == "3"  # a certificate job per pass, none printed yet


def test_pdf_export_parses_back(client, login, two_days):
    login(Role.EXAMINER)
    response = client.get("/examiner/reports/daily.pdf?from=2026-11-22&to=2026-11-23")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "2026-11-22" in text
    assert "2026-11-23" in text
    assert "66.7%" in text  # the pass rate of 22 Nov
    assert "15:00" in text  # its average duration
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts)  # embedded, not Helvetica


def test_report_page(client, login, two_days):
    login(Role.EXAMINER)
    page = client.get("/examiner/reports/?from=2026-11-22&to=2026-11-23").get_data(as_text=True)
    assert "2026-11-22" in page
    assert "<svg" in page
    assert 'id="pass-rate"' in page
    assert 'id="pass-rate-satpas"' in page
    chart = page[page.index('id="pass-rate-satpas"') :]
    assert "Satpas Polres Tegal: 2026-11-22 50%, 2026-11-23 100%" in chart
    assert "Satpas Polresta Denpasar: 2026-11-22 100%" in chart


def test_pass_rate_per_satpas_by_hand(db, two_days, sit):
    sit(10, 5)  # an exam from before offices were recorded: not counted for any office
    rates = reports.pass_rate_by_satpas(db, DAY, DAY + timedelta(days=1), "Asia/Jakarta")
    assert rates == {
        "Satpas Polres Tegal": [(DAY, 0.5), (DAY + timedelta(days=1), 1.0)],
        "Satpas Polresta Denpasar": [(DAY, 1.0)],
    }


@pytest.mark.parametrize("query", ["from=kemarin", "from=2026-01-01&to=2027-06-01"])
def test_bad_periods_are_refused(client, login, query):
    login(Role.EXAMINER)
    assert client.get(f"/examiner/reports/?{query}").status_code == 422


def formula_queues(_sender):
    """Queues whose names a spreadsheet would run as formulas (one not yet available)."""
    return [
        reports.Source("=HYPERLINK(1)", "x", lambda session: reports.QueueStatus(2, None)),
        reports.Source("@queue", "y"),
    ]


def formula_daily_count(_sender):
    return [reports.Source("+daily", "z", lambda session, low, high, zone: {DAY: 4})]


def test_csv_exports_defuse_formulas(client, db, login):
    # a domain plugs in a source and queues whose names a spreadsheet would run as formulas
    login(Role.EXAMINER)
    with (
        signals.report_queues.connected_to(formula_queues),
        signals.report_daily_counts.connected_to(formula_daily_count),
    ):
        daily = client.get("/examiner/reports/daily.csv?from=2026-11-22&to=2026-11-22")
        queues = client.get("/examiner/reports/queues.csv?to=2026-11-22").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(daily.get_data(as_text=True)))
    assert row["'+daily"] == "4"  # the header cell defused, the number untouched
    assert row["exams"] == "0"
    by_name = {r["queue"]: r for r in csv.DictReader(io.StringIO(queues))}
    assert by_name["'=HYPERLINK(1)"]["count"] == "2"
    assert by_name["'@queue"]["available"] == "no"
    assert "review" in by_name  # ordinary names unchanged
