"""The licence registry and ``flask licences import`` with its per-row problem report."""

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.renewal.conftest import image_bytes, make_nik, photo_bytes
from ujisim.renewal import registry
from ujisim.renewal.models import Licence, LicenceStatus

HEADER = (
    "number,class,nik,name,date_of_birth,place_of_birth,address,photo,signature,"
    "issued_at,expires_at,satpas,status"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "obama.jpg").write_bytes(photo_bytes("obama.jpg"))
    (tmp_path / "sig.png").write_bytes(image_bytes("PNG", size=(300, 100)))
    (tmp_path / "fake.jpg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    return tmp_path


def _csv(folder: Path, rows: list[str]) -> Path:
    path = folder / "licences.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_reports_each_bad_row_and_imports_the_rest(runner, db, folder):
    from datetime import date

    nik = make_nik(date(1990, 3, 14))
    good = f"1234-5678-9012,A,{nik},Sari,1990-03-14,Jakarta,Jl. Melati 5,obama.jpg,sig.png,2022-01-10,2027-01-10,Satpas Polda Metro Jaya,active"  # noqa: E501
    rows = [
        good,
        f"123456789013,C,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,revoked",  # noqa: E501
        f"12345,A,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        f"123456789014,Z,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        "123456789015,A,1234,Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        f"123456789016,A,{nik},Sari,1991-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        f"123456789017,A,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2021-01-10,Satpas X,",
        f"123456789018,A,{nik},Sari,1990-03-14,,Jl. Melati 5,fake.jpg,,2022-01-10,2027-01-10,Satpas X,",  # noqa: E501
        f"123456789019,A,{nik},Sari,1990-03-14,,Jl. Melati 5,../etc/passwd,,2022-01-10,2027-01-10,Satpas X,",  # noqa: E501
        f"123456789020,A,{nik},Sari,14/03/1990,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        f"123456789021,A,{nik},,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,",
        f"123456789022,A,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,lost",
    ]
    result = runner.invoke(args=["licences", "import", str(_csv(folder, rows))])
    assert result.exit_code == 1
    assert "2 added, 0 updated, 10 row(s) refused" in result.output
    for line, expected in [
        (4, "number: 12 to 16 digits"),
        (5, "class: unknown class"),
        (6, "nik: invalid"),
        (7, "nik: birth date inside the NIK"),
        (8, "expires_at must come after issued_at"),
        (9, "photo: SVG files are not accepted"),
        (10, "photo: no file ../etc/passwd"),
        (11, "date_of_birth: not a date"),
        (12, "missing name"),
        (13, "status: one of"),
    ]:
        assert f"line {line}: {expected}" in result.output
    licence = registry.get_current_licence(db, "1234 5678 9012")
    assert licence.licence_class == "A"
    assert licence.photo_file_id
    assert licence.signature_file_id
    assert len(licence.encoding) == 128  # the face of the photo, for comparisons later
    revoked = registry.get_current_licence(db, "123456789013")
    assert revoked.status == LicenceStatus.REVOKED


def test_reimport_updates_and_adds_nothing(runner, db, folder):
    from datetime import date

    nik = make_nik(date(1990, 3, 14))
    row = f"123456789030,A,{nik},Sari,1990-03-14,,Jl. Melati 5,,,2022-01-10,2027-01-10,Satpas X,"
    path = _csv(folder, [row])
    assert runner.invoke(args=["licences", "import", str(path)]).exit_code == 0
    _csv(folder, [row.replace("Jl. Melati 5", "Jl. Mawar 9").rstrip(",") + ",revoked"])
    result = runner.invoke(args=["licences", "import", str(path)])
    assert "0 added, 1 updated, 0 row(s) refused" in result.output
    rows = db.scalars(select(Licence).where(Licence.number == "123456789030")).all()
    assert [(r.address, r.status) for r in rows] == [("Jl. Mawar 9", "revoked")]


def test_bad_header(runner, folder):
    path = folder / "bad.csv"
    path.write_text("nomor,kelas\n1,A\n", encoding="utf-8")
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 1
    assert "line 1: header must have" in result.output


def test_photo_without_a_face_is_imported_with_a_warning(runner, db, folder):
    from datetime import date

    (folder / "blank.jpg").write_bytes(image_bytes())
    nik = make_nik(date(1990, 3, 14))
    row = f"123456789040,C,{nik},Sari,1990-03-14,,Jl. Melati 5,blank.jpg,,2022-01-10,2027-01-10,Satpas X,"  # noqa: E501
    result = runner.invoke(args=["licences", "import", str(_csv(folder, [row]))])
    assert result.exit_code == 0
    assert "line 2: warning: photo: no single face found" in result.output
    assert registry.get_current_licence(db, "123456789040").photo_encoding is None


def test_the_photo_command_puts_a_face_on_file_and_refuses_others(
    runner, db, folder, holder, make_licence
):
    from ujisim.core import storage

    licence = make_licence(holder, photo=None)
    number = licence.number
    (folder / "blank.jpg").write_bytes(image_bytes())
    (folder / "crowd.jpg").write_bytes(photo_bytes("t1.jpg"))
    for name, message in (("blank.jpg", "face"), ("crowd.jpg", "face"), ("fake.jpg", "JPEG")):
        result = runner.invoke(args=["licences", "photo", number, str(folder / name)])
        assert result.exit_code != 0, name
        assert message in result.output, result.output
        assert registry.get_current_licence(db, number).photo_file_id is None
    result = runner.invoke(args=["licences", "photo", "999999999999", str(folder / "obama.jpg")])
    assert "no licence with number 999999999999" in result.output

    result = runner.invoke(args=["licences", "photo", number, str(folder / "obama.jpg")])
    assert result.exit_code == 0, result.output
    db.expire_all()
    current = registry.get_current_licence(db, number)
    assert len(current.encoding) == 128
    first = db.get(storage.StoredFile, current.photo_file_id)
    first_path = storage.path_of(first)
    assert (
        runner.invoke(args=["licences", "photo", number, str(folder / "obama.jpg")]).exit_code == 0
    )
    assert not first_path.exists()  # the replaced photo does not linger
