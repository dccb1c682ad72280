"""Item media served as SVG: published to everyone, drafts to staff only."""

import xml.etree.ElementTree as ET  # noqa: S405 (our own SVG)

import pytest

from ujisim.core.security import Role
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank.content import ItemContent, Option, load_dir


@pytest.fixture
def bank(db):
    items = [i for i in load_dir()[0] if i.code in ("PB-001", "RB-001", "KC-001")]
    result = services.import_contents(db, items)
    db.commit()
    return {v.item.code: v for v in services.bank_item_versions(db, result.bank_version)}


def test_scene_is_drawn_per_class(client, bank):
    version = bank["PB-001"]
    views = {}
    for cls in version.class_list:
        response = client.get(f"/bank/media/{version.id}/{cls}.svg")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        root = ET.fromstring(response.data)  # noqa: S314
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        views[cls] = response.data
    if len(views) == 2:
        assert views["A"] != views["C"]


def test_sign_and_missing_media(client, bank):
    assert client.get(f"/bank/media/{bank['RB-001'].id}/A.svg").status_code == 200
    assert client.get(f"/bank/media/{bank['KC-001'].id}/A.svg").status_code == 404  # no media
    assert client.get("/bank/media/999999/A.svg").status_code == 404
    assert client.get(f"/bank/media/{bank['RB-001'].id}/B.svg").status_code == 404


def test_draft_media_only_for_staff(client, db, make_user, login):
    author = make_user(Role.EXAMINER)
    draft = ItemContent(
        code="ZZ-001", classes=("A",), category="pengetahuan", topic="rambu", stem="Rambu apa ini?",
        options=(Option("Berhenti", True), Option("Jalan terus")), explanation="x",
        legal_basis="PM 13/2014", difficulty=1, media={"sign": "stop"},
    )  # fmt: skip
    item = authoring_services.create_item(db, draft, author=author)
    db.commit()
    url = f"/bank/media/{item.head.id}/A.svg"
    assert client.get(url).status_code == 404
    login(Role.EXAMINER)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
