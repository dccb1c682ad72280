"""Examiners author hazard-perception clips (issue 21, point 7): a clip item opens in the clip
editor (its fields and the clip as YAML, checked like the YAML files, each problem beside its
field), saves a draft version through the same rules as questions, is reviewed by another
examiner, and its preview plays it on a timeline with its windows and lists the publish gate's
clip checks of each class."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests.question_bank.test_authoring import actions, hidden, post_action
from tests.question_bank.test_authoring import form as question_form
from tests.question_bank.test_clip_practice import CLIP_FILE
from ujisim.question_bank import services
from ujisim.question_bank.clip_lint import clip_size
from ujisim.question_bank.content import load_file
from ujisim.question_bank.media.clip_package import package
from ujisim.question_bank.models import ItemVersion
from ujisim.question_bank.scene_text import clip_text, parse_clip

DATA_RE = re.compile(r'<script type="application/json" id="clip-preview-data">(.*?)</script>', re.S)
#: the test clip KA-090 (A and C, 20 s): a ball, then a child, window bola 7.0..10.0 s
CLIP = load_file(CLIP_FILE)[0][0][0]
SPEC = CLIP.media["clip"]


def clip_yaml(**changes) -> str:
    spec = copy.deepcopy(SPEC)
    spec.update(changes)
    return clip_text(spec)


def clip_form(code: str = "KA-100", **changes) -> dict:
    """A valid clip form as a browser sends it."""
    data = {
        "code": code,
        "classes": ["A", "C"],
        "topic": "perilaku_etika",
        "difficulty": "2",
        "practice": "1",
        "stem": "Jalan permukiman pada pagi hari, mobil terparkir di kanan",
        "en_stem": "A residential street in the morning, a car parked on the right",
        "explanation": "Bola yang keluar dari balik mobil terparkir: anak mungkin mengejarnya.",
        "en_explanation": "A ball from behind a parked car: a child may run after it.",
        "legal_basis": "UU 22/2009 Pasal 106 ayat (2)",
        "group": "",
        "clip": clip_yaml(),
    }
    data.update(changes)
    return data


def edit_clip(browser, code: str = "KA-090", **changes):
    page = browser.get(f"/examiner/items/{code}/edit").get_data(as_text=True)
    data = clip_form(base=hidden(page, "base"), **changes)
    del data["code"]
    return browser.submit(f"/examiner/items/{code}/edit", data)


def player_data(page: str) -> dict:
    match = DATA_RE.search(page)
    assert match, "no player data"
    return json.loads(match.group(1))


def versions(db, code: str) -> list[tuple]:
    db.expire_all()
    item = services.get_item(db, code)
    return [(v.number, v.state, v.kind) for v in item.versions]


@pytest.fixture
def clip_item(db):
    """The test clip, active and published."""
    services.import_contents(db, [CLIP])
    db.commit()
    return "KA-090"


# -- the clip editor -----------------------------------------------------------------------------


def test_a_clip_opens_in_the_clip_editor_with_its_spec_as_yaml(author, clip_item):
    item_page = author.get("/examiner/items/KA-090").get_data(as_text=True)
    assert 'href="/examiner/items/KA-090/edit"' in item_page
    # its windows, not an empty option list
    assert '<code translate="no">bola</code> from 7.0 s to 10.0 s' in item_page
    response = author.get("/examiner/items/KA-090/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Saving starts version 2 as a draft" in page
    yaml_text = re.search(r'<textarea[^>]*id="clip"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "title: Jalan permukiman dengan rumah" in yaml_text
    assert "- {actor: bola, start: 7.0, end: 10.0}" in yaml_text
    assert "Jalan permukiman pada sore hari, rumah-rumah di kedua sisi</textarea>" in page
    assert 'name="options-0"' not in page  # a clip has no options
    # the clip as saved plays above its YAML, with its windows
    data = player_data(page)
    assert data["windows"] == [{"actor": "bola", "start": 7.0, "end": 10.0, "mirror": False}]
    assert data["clip"] == package(SPEC, "A", "en")
    assert page.index('id="clip-svg"') < page.index('id="clip"')
    assert "/static/js/clip_preview.js" in page


def test_editing_a_clip_makes_a_draft_version_and_the_diff_shows_the_moved_window(
    author, reviewer, db, clip_item
):
    moved = clip_yaml(windows=[{"actor": "bola", "start": 7.5, "end": 10.0}])
    response = edit_clip(author, clip="clip:\n" + re.sub(r"(?m)^", "  ", moved))  # pasted
    assert response.status_code == 302
    assert versions(db, "KA-090") == [(1, "active", "clip"), (2, "draft", "clip")]
    head = services.get_item(db, "KA-090").head
    assert head.media["clip"]["windows"] == [{"actor": "bola", "start": 7.5, "end": 10.0}]
    assert head.translations["en"]["stem"].startswith("A residential street in the morning")
    assert (head.category, head.options, head.difficulty) == ("persepsi_bahaya", [], 2)
    # a clip saved unchanged is the same clip (its YAML reads back exactly)
    assert parse_clip(clip_yaml()) == SPEC
    # the author's own draft is edited in place; another examiner may not touch it
    assert edit_clip(author, difficulty="3", clip=moved).status_code == 302
    assert versions(db, "KA-090") == [(1, "active", "clip"), (2, "draft", "clip")]
    refused = reviewer.get("/examiner/items/KA-090/edit")
    assert refused.status_code == 409
    assert "Another examiner is drafting this item." in refused.get_data(as_text=True)
    # the reviewer's diff shows the clip itself, so a moved window is seen
    diff = reviewer.get("/examiner/items/KA-090/diff").get_data(as_text=True)
    assert re.search(r'<tr class="changed">\s*<th scope="row">Picture', diff)
    assert "start: 7." in diff
    assert '<ins><span class="visually-hidden">[added: </span>5' in diff


BROKEN = [
    ("title: [unclosed", "clip", "Line "),
    ("a: &x [1]\nb: *x", "clip", "Anchors and aliases"),
    ("- just\n- a list", "clip", "Write the clip as a mapping"),
    ("", "clip", "This field is required."),
    ("title: x\n" + "#" * 20_000, "clip", "Use at most 20000 characters."),
    (clip_yaml(duration=12), "clip", "Clip: duration: 20..60 seconds"),
    (
        clip_yaml(windows=[{"actor": "anak", "start": 7, "end": 7.5}]),
        "clip",
        "Clip: windows[0]: 0.5 s long; a window is 1.5..10 s",
    ),
    (
        clip_yaml(windows=[{"actor": "anak", "start": 14, "end": 17}]),
        "clip",
        "Clip: windows[0]: anak is out of view at the start",
    ),
    (clip_yaml(sparkles=True), "clip", "Clip: unknown key &#39;sparkles&#39;"),
]


@pytest.mark.parametrize(("text", "field", "message"), BROKEN)
def test_bad_yaml_or_a_broken_clip_is_refused_beside_the_clip_and_changes_nothing(
    author, db, clip_item, text, field, message
):
    before = (versions(db, "KA-090"), actions(db))
    response = edit_clip(author, clip=text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page), page
    assert "Please correct the marked fields." in page
    assert (versions(db, "KA-090"), actions(db)) == before


def test_the_other_fields_are_checked_beside_each_field_in_the_readers_language(
    author, db, clip_item
):
    bad = {"topic": "", "difficulty": "9", "stem": "", "en_stem": "", "legal_basis": "x" * 256}
    page = edit_clip(author, **bad).get_data(as_text=True)
    expected = {
        "topic-error": "Choose a topic.",
        "difficulty-error": "Choose a difficulty of 1, 2 or 3.",
        "stem-error": "This field is required.",
        "en_stem-error": "This field is required.",  # an English explanation but no situation
        "legal_basis-error": "Use at most 255 characters.",
    }
    for element_id, text in expected.items():
        assert re.search(rf'id="{element_id}">[^<]*{re.escape(text)}', page), element_id
    author.submit("/lang", {"lang": "id", "next": "/"})
    page = edit_clip(author, topic="", stem="").get_data(as_text=True)
    assert re.search(r'id="topic-error">Pilih topik.', page)
    assert re.search(r'id="stem-error">Isian ini wajib diisi.', page)
    assert len(services.get_item(db, "KA-090").versions) == 1


def test_a_new_clip_is_reviewed_by_another_examiner_never_its_author(author, reviewer, db):
    choice = author.get("/examiner/items/new").get_data(as_text=True)
    assert 'href="/examiner/items/new/clip"' in choice
    page = author.get("/examiner/items/new/clip").get_data(as_text=True)
    assert "New hazard-perception clip" in page
    assert "Save the draft first" in page  # nothing saved yet: nothing to play
    response = author.submit("/examiner/items/new/clip", clip_form("KA-100"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/examiner/items/KA-100"
    assert versions(db, "KA-100") == [(1, "draft", "clip")]
    item = services.get_item(db, "KA-100")
    assert (item.head.author_id, item.head.media["clip"]) == (author.user.id, SPEC)
    # the same code again is refused beside the code
    taken = author.submit(
        "/examiner/items/new/clip", clip_form("KA-100", stem="Situasi yang lain sama sekali")
    )
    assert taken.status_code == 422
    assert re.search(r'id="code-error">[^<]*This code is already taken.', taken.text)

    assert post_action(author, "KA-100", "submit").status_code == 302
    before = actions(db)
    assert post_action(author, "KA-100", "approve").status_code == 403
    assert actions(db) == [*before, "access.own_case_refused"]
    assert versions(db, "KA-100") == [(1, "in_review", "clip")]
    approved = post_action(reviewer, "KA-100", "approve", approve_comment="Jendela tepat.")
    assert approved.status_code == 302
    assert versions(db, "KA-100") == [(1, "active", "clip")]
    assert services.get_item(db, "KA-100").status == "active"


# -- the preview ---------------------------------------------------------------------------------


def test_the_preview_plays_the_clip_with_its_windows_and_lists_the_gate_checks(author, db):
    """A clip for class A only whose window scores a parked car that never moves: both classes
    list the problem; only class A is judged by the gate."""
    still = copy.deepcopy(SPEC)
    still["windows"] = [{"actor": "mobil", "start": 4.0, "end": 7.0}]
    services.import_contents(db, [replace(CLIP, classes=("A",), media={"clip": still})])
    db.commit()
    response = author.get("/examiner/items/KA-090/preview?class=C&lang=id")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    data = player_data(page)
    assert data["clip"] == package(still, "C", "id")
    assert data["windows"] == [{"actor": "mobil", "start": 4.0, "end": 7.0, "mirror": False}]
    assert data["t"]["inside"] == "Hazard {n}, part {part} of 5: a click now scores {points}"
    assert 'data-seek="4.0"' in page
    assert 'data-seek="7.0"' in page
    assert "/static/js/clip_player.js" in page
    assert "/static/js/clip_preview.js" in page
    assert "question-options" not in page
    checks = {
        cls: re.search(rf'<dd id="clip-check-{cls}">(.*?)</dd>', page, re.S).group(1)
        for cls in "AC"
    }
    problem = "windows[0]: nothing about mobil changes from 1 s before the window"
    assert problem in checks["A"]
    assert problem in checks["C"]
    assert "Not used in this class" in checks["C"]
    assert "Not used in this class" not in checks["A"]
    for cls in "AC":
        kb = round(max(clip_size(still, cls, lang) for lang in ("id", "en")) / 1000, 1)
        assert f"Package: {kb} KB of at most 50 KB" in checks[cls]


def test_the_preview_of_a_clip_that_plays_says_so(author, clip_item, db):
    page = author.get("/examiner/items/KA-090/preview").get_data(as_text=True)
    assert page.count("Plays as written.") == 2
    assert player_data(page)["clip"]["cls"] == "A"  # the version's first class by default
    version_id = services.get_item(db, "KA-090").head.id
    assert db.scalar(select(func.count()).select_from(ItemVersion)) == 1
    assert f"/bank/media/{version_id}/" not in page  # the player, not the first frame


def test_what_was_typed_is_quoted_as_text_never_as_markup(author, db, clip_item):
    """A problem quotes the typed key; the page shows it as text (a lazily translated message
    would pass as safe HTML), for a clip and for a question's scene alike."""
    page = edit_clip(author, clip=clip_yaml(**{"<i>x</i>": 1})).get_data(as_text=True)
    assert "Clip: unknown key &#39;&lt;i&gt;x&lt;/i&gt;&#39;" in page
    assert "<i>x</i>" not in page
    scene = "title: Jalan\nroad: two_way\n'<i>x</i>': 1"
    page = author.submit(
        "/examiner/items/new", question_form(category="persepsi_bahaya", scene=scene)
    ).get_data(as_text=True)
    assert "Scene: unknown key &#39;&lt;i&gt;x&lt;/i&gt;&#39;" in page
    assert "<i>x</i>" not in page
