"""The demo licences: one per eligibility case, added once."""

from datetime import date

from sqlalchemy import func, select

from tests.renewal.conftest import make_nik
from ujisim.core.errors import UjisimError
from ujisim.core.security import Role
from ujisim.renewal.eligibility import check_eligibility
from ujisim.renewal.models import Licence
from ujisim.renewal.seed import DEMO_LICENCES, seed_licences


def test_demo_licences_cover_each_case_and_are_idempotent(db, clock, make_user):
    born = date(1999, 7, 5)
    user = make_user(Role.APPLICANT, nik=make_nik(born, female=True), date_of_birth=born)
    seed_licences(db, user)
    seed_licences(db, user)
    assert db.scalar(select(func.count()).select_from(Licence)) == len(DEMO_LICENCES)
    outcomes = []
    for number, *_rest in DEMO_LICENCES:
        try:
            check_eligibility(db, user, number, user.nik, born)
            outcomes.append("ok")
        except UjisimError as exc:
            outcomes.append(exc.code)
    assert outcomes == ["ok", "too_early", "expired", "revoked", "ok"]  # the last: SIM C I


def test_seed_command_mentions_the_licences(runner, monkeypatch):
    import ujisim.seed as seed_module

    monkeypatch.setattr(seed_module, "_seed_bank", lambda session: None)
    first = runner.invoke(args=["seed", "demo"])
    second = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "317400000001: inside the 90-day window" in second.output


def test_the_seed_prints_the_login_at_the_public_address(app, runner, monkeypatch):
    """``make run`` serves on HOST:PORT and passes it as UJISIM_PUBLIC_URL: the printed login
    follows it (it said port 5000 whatever PORT was)."""
    import ujisim.seed as seed_module

    monkeypatch.setattr(seed_module, "_seed_bank", lambda session: None)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "http://127.0.0.1:8123")
    result = runner.invoke(args=["seed", "demo"])
    assert "Demo logins (http://127.0.0.1:8123/login):" in result.output


def test_demo_certificates_show_each_case(db, clock, make_user):
    from ujisim.renewal import health
    from ujisim.renewal.seed import DEMO_CERTIFICATES

    born = date(1999, 7, 5)
    user = make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)
    seed_licences(db, user)
    seed_licences(db, user)  # again: the same numbers, still valid
    found = [
        health.provider().verify(kind, number, user.nik) for kind, number, *_ in DEMO_CERTIFICATES
    ]
    assert [f.outcome for f in found] == [health.Outcome.FOUND] * len(DEMO_CERTIFICATES)
    assert [f.certificate.result for f in found] == ["fit", "fit", "fit", "not_fit"]
    assert all(f.certificate.nik == user.nik for f in found)
