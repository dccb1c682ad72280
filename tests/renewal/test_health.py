"""e-Rikkes and ePPsi certificates verified with their provider (the sandbox): each refusal
with its own message, nothing stored on a refusal, the provider's date and fee kept; and the
SANDBOX page where a holder takes a test."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import TODAY, make_nik
from ujisim.core.storage import StoredFile
from ujisim.renewal import application as apps
from ujisim.renewal import documents, health
from ujisim.renewal.errors import CertificatesUnavailable, InvalidDocument
from ujisim.renewal.models import AppState, RenewalDocument

pytestmark = pytest.mark.both_backends


@pytest.fixture
def started(db, holder, licence):
    application = apps.start_application(
        db, holder, licence.number, holder.nik, holder.date_of_birth
    )
    db.commit()
    return application


def refused(db, started, holder, docs, error=InvalidDocument, **changes):
    """The fields of the refusal; nothing stored, the application still at the documents."""
    with pytest.raises(error) as caught:
        documents.submit_documents(db, started, actor=holder, **{**docs, **changes})
    db.rollback()
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert db.scalar(select(func.count()).select_from(RenewalDocument)) == 0
    assert db.get(type(started), started.id).state == AppState.DOCUMENTS
    return caught.value


def test_a_well_formed_number_the_provider_does_not_know_is_refused(db, started, holder, docs):
    """The old check took any number of the right shape: "RIK-0001" passed."""
    exc = refused(db, started, holder, docs, health_number="RIK-0001", health_date=TODAY)
    assert "e-Rikkes has no certificate with this number" in exc.fields["health_number"]
    exc = refused(db, started, holder, docs, psych_number="PSI-0001", psych_date=TODAY)
    assert "ePPsi has no certificate with this number" in exc.fields["psych_number"]


def test_a_health_number_given_as_the_psych_certificate_is_not_found(db, started, holder, docs):
    exc = refused(db, started, holder, docs, psych_number=docs["health_number"])
    assert "ePPsi has no certificate" in exc.fields["psych_number"]


def test_another_persons_certificate_is_refused(db, started, holder, docs, make_user):
    other = health.provider().issue("health", make_nik(holder.date_of_birth), issued_on=TODAY)
    exc = refused(db, started, holder, docs, health_number=other.number)
    assert "belongs to another person" in exc.fields["health_number"]


@pytest.mark.parametrize("kind", ["health", "psych"])
def test_a_not_fit_result_is_refused(db, started, holder, docs, kind):
    made = health.provider().issue(kind, holder.nik, issued_on=TODAY, result=health.NOT_FIT)
    exc = refused(db, started, holder, docs, **{f"{kind}_number": made.number})
    assert '"not fit"' in exc.fields[f"{kind}_number"]


def test_an_expired_certificate_names_its_last_valid_day(db, started, holder, docs):
    made = health.provider().issue(
        "health", holder.nik, issued_on=TODAY - timedelta(days=20), fee=None
    )
    exc = refused(db, started, holder, docs, health_number=made.number, health_date=TODAY)
    assert "valid until November 16, 2026" in exc.fields["health_date"]


def test_an_unreachable_provider_accepts_nothing_and_says_so(app, db, started, holder, docs):
    app.config["HEALTH_SANDBOX_OUTAGE"] = True
    try:
        exc = refused(db, started, holder, docs, error=CertificatesUnavailable)
    finally:
        app.config["HEALTH_SANDBOX_OUTAGE"] = False
    assert exc.status == 503
    assert "cannot be reached" in exc.fields["health_number"]
    assert "ePPsi service cannot be reached" in exc.fields["psych_number"]


def test_the_providers_date_and_fee_are_kept(db, started, holder, docs):
    made = health.provider().issue(
        "psych", holder.nik, issued_on=TODAY - timedelta(days=400 - 300), fee=60_000
    )
    documents.submit_documents(
        db,
        started,
        actor=holder,
        **{**docs, "psych_number": made.number, "psych_date": TODAY - timedelta(days=1)},
    )
    assert started.psych_cert_date == TODAY - timedelta(days=100)  # the provider's, not typed
    assert started.fee_psych == 60_000
    assert started.fee_health == 35_000  # the provider gave none: the configured fee


def test_the_typed_date_counts_only_when_the_provider_has_none(db, started, holder, docs):
    made = health.provider().issue("health", holder.nik, issued_on=None)
    exc = refused(db, started, holder, docs, health_number=made.number, health_date=None)
    assert exc.fields == {"health_date": "Enter the date on the certificate."}
    old = TODAY - timedelta(days=15)
    exc = refused(db, started, holder, docs, health_number=made.number, health_date=old)
    assert "older than 14 days" in exc.fields["health_date"]
    documents.submit_documents(
        db, started, actor=holder, **{**docs, "health_number": made.number, "health_date": TODAY}
    )
    assert started.health_cert_date == TODAY


def test_psych_fee_rises_in_2026():
    from datetime import date

    assert health.default_fee("psych", date(2025, 12, 31)) == 57_500
    assert health.default_fee("psych", date(2026, 1, 1)) == 77_500
    assert health.default_fee("health", date(2026, 1, 1)) == 35_000


def test_a_certificate_number_never_names_a_path(app, tmp_path):
    sandbox = health.SandboxHealth(tmp_path / "sandbox")
    assert sandbox.verify("health", "../../etc/passwd", "1").outcome == health.Outcome.NOT_FOUND
    made = sandbox.issue("health", "1", issued_on=TODAY, number="../../x")
    assert [p.parent for p in (tmp_path / "sandbox").iterdir()] == [tmp_path / "sandbox"]
    assert sandbox.verify("health", made.number, "1").outcome == health.Outcome.FOUND


# --- the SANDBOX test page ----------------------------------------------------------------------


def test_the_sandbox_page_issues_a_certificate_for_the_holders_own_nik(client, holder):
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get("/perpanjangan/sandbox/tes").get_data(as_text=True)
    assert "SANDBOX" in page
    response = client.submit(
        "/perpanjangan/sandbox/tes", {"kind": "psych", "result": "fit", "issued_on": ""}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    number = page.split('id="issued-number" data-kind="psych">')[1].split("<")[0]
    found = health.provider().verify("psych", number, holder.nik)
    assert found.outcome == health.Outcome.FOUND
    assert found.certificate.nik == holder.nik
    assert found.certificate.fee == 77_500


def test_the_sandbox_page_refuses_a_bad_choice(client, holder, app):
    client.login(holder.email, DEFAULT_PASSWORD)
    response = client.submit("/perpanjangan/sandbox/tes", {"kind": "x", "issued_on": "soon"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the health or the psychological test." in page
    assert "YYYY-MM-DD" in page


def test_the_sandbox_page_is_gone_with_a_real_provider(client, holder, app):
    class Real:
        name, label, sandbox = "real", "e-Rikkes", False

    health.PROVIDERS["real"] = Real
    app.config["HEALTH_PROVIDER"] = "real"
    try:
        client.login(holder.email, DEFAULT_PASSWORD)
        assert client.get("/perpanjangan/sandbox/tes").status_code == 404
    finally:
        app.config["HEALTH_PROVIDER"] = "sandbox"
        del health.PROVIDERS["real"]


def test_production_refuses_the_sandbox_and_verifies_nothing_without_a_provider(
    app, db, started, holder, docs, monkeypatch, tmp_path
):
    """On the sandbox's page anybody could issue themselves a "fit" certificate."""
    from ujisim.app import create_app
    from ujisim.config import from_env

    monkeypatch.setenv("UJISIM_ENV", "production")
    monkeypatch.delenv("UJISIM_PASSWORD_HASH_PROFILE")  # the suite's, which production refuses
    monkeypatch.setenv("UJISIM_PUBLIC_URL", "https://ujisim.example.id")
    monkeypatch.setenv("UJISIM_HEALTH_PROVIDER", "sandbox")
    with pytest.raises(RuntimeError, match="HEALTH_PROVIDER=sandbox is refused"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "p")})
    monkeypatch.delenv("UJISIM_HEALTH_PROVIDER")
    assert from_env(str(tmp_path))["HEALTH_PROVIDER"] == "none"  # the production default
    app.config["HEALTH_PROVIDER"] = "none"
    try:
        exc = refused(db, started, holder, docs, error=CertificatesUnavailable)
    finally:
        app.config["HEALTH_PROVIDER"] = "sandbox"
    assert "e-Rikkes service cannot be reached" in exc.fields["health_number"]


def test_the_page_says_the_provider_is_unreachable_and_keeps_what_was_typed(
    app, client, db, started, holder, docs
):
    import io

    client.login(holder.email, DEFAULT_PASSWORD)
    data = {
        "photo": (io.BytesIO(docs["photo"]), "photo.jpg"),
        "signature": (io.BytesIO(docs["signature"]), "sig.png"),
        "health_number": docs["health_number"],
        "health_date": "",
        "psych_number": docs["psych_number"],
        "psych_date": docs["psych_date"].isoformat(),
        "version": str(started.version),
    }
    app.config["HEALTH_SANDBOX_OUTAGE"] = True
    try:
        response = client.submit(
            f"/perpanjangan/{started.public_id}/dokumen", data, content_type="multipart/form-data"
        )
    finally:
        app.config["HEALTH_SANDBOX_OUTAGE"] = False
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "cannot be reached right now" in page
    assert f'value="{docs["health_number"]}"' in page
    assert f'value="{docs["psych_number"]}"' in page
    assert db.get(type(started), started.id).state == AppState.DOCUMENTS
