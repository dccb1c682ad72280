"""The population register (Dukcapil) provider: the sandbox (found, not found, unavailable, bad
NIK, its records through the image intake), no register, the refusal in production, the CLI and
the demo seed. How a renewal uses the register: test_identity_reference.py."""

from __future__ import annotations

from datetime import date

import pytest

from tests.renewal.conftest import make_nik, photo_bytes
from ujisim.app import create_app
from ujisim.core.errors import InvalidImage, ValidationError
from ujisim.core.security import Role
from ujisim.renewal import population
from ujisim.renewal.errors import InvalidNik, ProviderRefused

BORN = date(1990, 3, 14)


@pytest.fixture
def register(app):
    return population.provider("sandbox")


# --- the sandbox provider --------------------------------------------------------------------


def test_the_sandbox_finds_a_record_with_its_photo_through_the_intake(register):
    nik = make_nik(BORN)
    register.add(nik, "  Sari   Wulandari ", BORN, photo_bytes("obama.jpg"))
    answer = register.lookup(nik[:6] + " " + nik[6:])  # written with a space: the same NIK
    assert answer.outcome == population.Outcome.FOUND
    record = answer.record
    assert (record.nik, record.name, record.birth_date) == (nik, "Sari Wulandari", BORN)
    # re-encoded by the image intake: a JPEG, not the bytes that were given
    assert record.photo_jpeg.startswith(b"\xff\xd8\xff")
    assert record.photo_jpeg != photo_bytes("obama.jpg")


def test_a_record_without_a_photo_and_an_unknown_nik(register):
    nik = make_nik(BORN)
    register.add(nik, "Sari Wulandari", BORN, None)
    answer = register.lookup(nik)
    assert answer.outcome == population.Outcome.FOUND
    assert answer.record.photo_jpeg is None
    assert register.lookup(make_nik(BORN)).outcome == population.Outcome.NOT_FOUND
    assert register.remove(nik)
    assert register.lookup(nik).outcome == population.Outcome.NOT_FOUND


def test_an_outage_makes_the_sandbox_unavailable(app, register):
    nik = make_nik(BORN)
    register.add(nik, "Sari Wulandari", BORN, photo_bytes("obama.jpg"))
    app.config["POPULATION_SANDBOX_OUTAGE"] = True
    answer = population.provider().lookup(nik)
    assert (answer.outcome, answer.record) == (population.Outcome.UNAVAILABLE, None)
    assert "outage" in answer.detail


def test_an_unreadable_record_is_unavailable_not_a_crash(register):
    nik = make_nik(BORN)
    register.add(nik, "Sari Wulandari", BORN, None)
    (register.folder / f"{nik}.json").write_text("{not json")
    assert register.lookup(nik).outcome == population.Outcome.UNAVAILABLE


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("31740514039", "length"),
        ("3174O51403900011", "digits"),
        ("9974051403900011", "region"),
        ("3174053213900011", "date"),
        ("3174051403900000", "serial"),
    ],
)
def test_a_bad_nik_is_refused_before_the_register_is_asked(register, nik, code):
    with pytest.raises(InvalidNik) as refused:
        register.lookup(nik)
    assert refused.value.fields == {"nik": code}


def test_adding_checks_the_nik_against_the_birth_date_and_the_photo(register):
    nik = make_nik(BORN)
    with pytest.raises(InvalidNik) as refused:
        register.add(nik, "Sari Wulandari", date(1991, 3, 14), None)
    assert refused.value.fields == {"nik": "birth_mismatch"}
    with pytest.raises(InvalidImage) as refused:
        register.add(nik, "Sari Wulandari", BORN, b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert refused.value.fields == {"photo": "svg"}
    with pytest.raises(ValidationError):
        register.add(nik, "   ", BORN, None)
    assert register.lookup(nik).outcome == population.Outcome.NOT_FOUND


def test_no_register_answers_unavailable(app):
    app.config["POPULATION_PROVIDER"] = "none"
    answer = population.provider().lookup(make_nik(BORN))
    assert answer.outcome == population.Outcome.UNAVAILABLE


def test_production_refuses_the_sandbox(app, monkeypatch, tmp_path):
    app.config["UJISIM_ENV"] = "production"
    with pytest.raises(ProviderRefused):
        population.provider("sandbox")
    monkeypatch.setenv("UJISIM_ENV", "production")
    monkeypatch.delenv("UJISIM_PASSWORD_HASH_PROFILE")  # the suite's, which production refuses
    monkeypatch.setenv("UJISIM_PUBLIC_URL", "https://ujisim.example.id")
    monkeypatch.setenv("UJISIM_POPULATION_PROVIDER", "sandbox")
    with pytest.raises(RuntimeError, match="POPULATION_PROVIDER=sandbox is refused"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "p")})
    monkeypatch.delenv("UJISIM_POPULATION_PROVIDER")
    from ujisim.config import from_env

    assert from_env(str(tmp_path))["POPULATION_PROVIDER"] == "none"  # the production default


def test_the_cli_adds_looks_up_and_removes(runner, holder, make_licence, tmp_path):
    make_licence(holder, photo=None)
    photo = tmp_path / "me.jpg"
    photo.write_bytes(photo_bytes("obama.jpg"))
    # name and birth date from the holder's SIM
    added = runner.invoke(args=["licences", "population", "add", holder.nik, str(photo)])
    assert added.exit_code == 0, added.output
    assert "with a photo" in added.output
    found = runner.invoke(args=["licences", "population", "lookup", holder.nik])
    assert f"found: {holder.full_name}, born 1990-03-14, photo" in found.output
    stranger = runner.invoke(args=["licences", "population", "add", make_nik(BORN)])
    assert stranger.exit_code != 0
    assert "--name and --birth-date" in stranger.output
    bad = runner.invoke(args=["licences", "population", "lookup", "123"])
    assert bad.exit_code != 0
    assert "not a valid NIK" in bad.output
    removed = runner.invoke(args=["licences", "population", "remove", holder.nik])
    assert f"removed {holder.nik}" in removed.output
    gone = runner.invoke(args=["licences", "population", "lookup", holder.nik])
    assert gone.output.strip() == "not_found"


def test_the_demo_holder_is_in_the_sandbox_register(db, clock, make_user, register):
    from ujisim.renewal.seed import seed_licences

    born = date(1999, 7, 5)
    user = make_user(Role.APPLICANT, nik=make_nik(born, female=True), date_of_birth=born)
    seed_licences(db, user)
    answer = register.lookup(user.nik)
    assert answer.outcome == population.Outcome.FOUND
    assert answer.record.photo_jpeg is None
    # a photo given later is kept by the next seed
    register.add(user.nik, user.full_name, born, photo_bytes("obama.jpg"))
    seed_licences(db, user)
    assert register.lookup(user.nik).record.photo_jpeg is not None
