"""Examiner authoring pages: list and search, create/edit with the content checks, the review
cycle between two examiners, refusals that change nothing, retire, preview and diff."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ujisim.core import audit
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import IllegalTransition
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank.content import ItemContent, Option
from ujisim.question_bank.forms import SIGN_GROUP_LABELS, TOPIC_LABELS, parse_scene
from ujisim.question_bank.media.signs import GROUPS
from ujisim.question_bank.models import TOPICS, Item, ItemStatus, VersionState

SCENE_YAML = """\
title: Jalan perumahan dengan anak bermain di tepi jalan
road: residential
ego: {speed: 40}
objects:
  - {kind: child, pos: 0.5, x: -1.05, facing: right}
"""


def content(code: str, stem: str, **changes) -> ItemContent:
    base = dict(
        code=code,
        classes=("A", "C"),
        category="pengetahuan",
        topic="kecepatan",
        stem=stem,
        options=(Option("30 km/jam", True), Option("60 km/jam")),
        explanation="PM 111/2015 menetapkan paling tinggi 30 km/jam di kawasan permukiman.",
        legal_basis="PM 111/2015 Pasal 3 ayat (4)",
        difficulty=1,
    )
    base.update(changes)
    return ItemContent(**base)


def form(code: str = "ZZ-100", **changes) -> dict:
    """A valid item form as a browser sends it."""
    data = {
        "code": code,
        "classes": ["A", "C"],
        "category": "wawasan",
        "topic": "perilaku_etika",
        "difficulty": "1",
        "practice": "1",
        "stem": "Apa yang wajib dilakukan sebelum berbelok ke kiri?",
        "options-0": "Memberi isyarat lampu penunjuk arah",
        "options-1": "Membunyikan klakson panjang",
        "options-2": "",
        "options-3": "",
        "key": "0",
        "explanation": "Pengemudi wajib memberi isyarat sebelum berbelok.",
        "legal_basis": "UU 22/2009 Pasal 112 ayat (1)",
        "sign": "",
        "scene": "",
    }
    data.update(changes)
    return data


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def actions(db) -> list[str]:
    return list(db.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


@pytest.fixture
def bank(db):
    """Four active items of different kinds and one draft."""
    services.import_contents(
        db,
        [
            content("KC-001", "Berapa batas kecepatan di kawasan permukiman?"),
            content("KC-002", "Batas kecepatan di jalan tol paling rendah?", classes=("A",)),
            content("RB-001", "Apa arti rambu ini?", topic="rambu", media={"sign": "stop"}),
            content(
                "PB-001",
                "Apa yang sebaiknya Anda lakukan?",
                classes=("C",),
                category="persepsi_bahaya",
                media={"scene": parse_scene(SCENE_YAML)},
            ),
        ],
    )
    db.commit()


def codes(page: str) -> list[str]:
    return re.findall(r'class="item-code"><a href="[^"]+">([A-Z]{2}-\d{3})<', page)


# -- list ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("bank")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["KC-001", "KC-002", "PB-001", "RB-001"]),
        ("?q=kc-00", ["KC-001", "KC-002"]),
        ("?q=JALAN+TOL", ["KC-002"]),
        ("?class=C", ["KC-001", "PB-001", "RB-001"]),
        ("?class=A&topic=kecepatan", ["KC-001", "KC-002"]),
        ("?category=persepsi_bahaya", ["PB-001"]),
        ("?topic=rambu", ["RB-001"]),
        ("?status=active&class=X&topic=nonsense", ["KC-001", "KC-002", "PB-001", "RB-001"]),
        ("?status=draft", []),
    ],
)
def test_list_filters_and_searches(author, query, expected):
    response = author.get("/examiner/items/" + query)
    assert response.status_code == 200
    assert codes(response.get_data(as_text=True)) == expected


@pytest.mark.usefixtures("bank")
def test_list_shows_what_the_examiner_needs(author, reviewer, db):
    author.submit("/examiner/items/new", form("ZZ-001"))
    page = author.get("/examiner/items/?status=draft").get_data(as_text=True)
    assert codes(page) == ["ZZ-001"]
    assert "Apa yang wajib dilakukan sebelum berbelok ke kiri?" in page
    assert "Road conduct" in page
    assert "Conduct and etiquette" in page
    assert "badge-draft" in page
    assert "v1" in page


def test_list_is_paginated_by_50(author, db):
    services.import_contents(db, [content(f"ZZ-{n:03d}", f"Soal nomor {n}?") for n in range(55)])
    db.commit()
    first = author.get("/examiner/items/?topic=kecepatan").get_data(as_text=True)
    assert len(codes(first)) == 50
    assert 'href="/examiner/items/?page=2&amp;topic=kecepatan"' in first
    second = author.get("/examiner/items/?topic=kecepatan&page=2").get_data(as_text=True)
    assert codes(second) == [f"ZZ-{n:03d}" for n in range(50, 55)]
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second


# -- create with the content checks ------------------------------------------------------------


def test_new_item_form_states_the_configured_reserved_share(app, author):
    assert "at least 40% of its items reserved" in author.get("/examiner/items/new").text
    app.config["BANK_MIN_RESERVED"] = 0.5
    author.submit("/lang", {"lang": "id", "next": "/"})
    assert "paling sedikit 50% soalnya khusus ujian" in author.get("/examiner/items/new").text


def test_create_with_bad_input_shows_each_problem_and_creates_nothing(author, db):
    before = actions(db)
    bad = form(
        "rb1",
        classes=[],
        category="",
        difficulty="9",
        stem="",
        **{"options-1": "memberi isyarat lampu penunjuk arah"},  # same text as option A
        key="3",  # an empty row
        sign="tidak_ada",
    )
    response = author.submit("/examiner/items/new", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    expected = {
        "code-error": "Two capital letters, a hyphen and three digits",
        "classes-error": "Choose class A, class C or both.",
        "category-error": "Choose a category.",
        "difficulty-error": "Choose a difficulty of 1, 2 or 3.",
        "stem-error": "This field is required.",
        "sign-error": "Choose a sign from the list.",
    }
    for element_id, message in expected.items():
        assert re.search(rf'id="{element_id}">[^<]*{re.escape(message)}', page), element_id
    options_error = re.search(r'id="options-error">(.*?)</ul>', page).group(1)
    assert "Mark exactly one filled-in option as the correct answer." in options_error
    assert "Two options have the same text." in options_error
    assert 'value="memberi isyarat lampu penunjuk arah"' in page  # what was typed stays
    assert count(db, Item) == 0
    assert actions(db) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scene": "title: [unclosed"}, "scene", "Line "),
        ({"scene": "a: &x [1]\nb: *x"}, "scene", "Anchors and aliases"),
        ({"scene": "- just\n- a list"}, "scene", "Write the scene as a mapping"),
        ({"scene": "title: Jalan\nroad: nowhere"}, "scene", "Scene: road: unknown road type"),
        ({"sign": "stop", "scene": SCENE_YAML}, "sign", "either a sign or a scene"),
        ({"category": "persepsi_bahaya"}, "scene", "A hazard-perception item needs a scene."),
        ({"options-1": "", "options-2": ""}, "options", "Fill in 2 to 4 options."),
        ({"legal_basis": "x" * 256}, "legal_basis", "Use at most 255 characters."),
        ({"scene": "title: x\n" + "#" * 20_000}, "scene", "Use at most 20000 characters."),
    ],
)
def test_create_refuses_bad_media_and_options(author, db, changes, field, message):
    response = author.submit("/examiner/items/new", form(**changes))
    assert response.status_code == 422
    assert re.search(
        rf'id="{field}-error">(<li>)?[^<]*{re.escape(message)}', response.get_data(as_text=True)
    )
    assert count(db, Item) == 0


def test_duplicate_code_and_duplicate_question_are_refused(author, db):
    assert author.submit("/examiner/items/new", form("ZZ-001")).status_code == 302
    taken = author.submit("/examiner/items/new", form("ZZ-001", stem="Pertanyaan lain?"))
    assert taken.status_code == 422
    assert "This code is already taken." in taken.get_data(as_text=True)
    same = author.submit(
        "/examiner/items/new",
        form("ZZ-002", stem="apa yang WAJIB dilakukan sebelum berbelok ke kiri"),
    )
    assert same.status_code == 422
    assert "Item ZZ-001 already asks the same question." in same.get_data(as_text=True)
    assert count(db, Item) == 1


def test_create_with_a_scene_and_four_options(author, db):
    data = form(
        "PB-100",
        category="persepsi_bahaya",
        scene="scene:\n" + "\n".join("  " + line for line in SCENE_YAML.splitlines()),
        **{"options-2": "Menambah kecepatan", "options-3": "Berhenti mendadak"},
        key="2",
    )
    response = author.submit("/examiner/items/new", data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/examiner/items/PB-100"
    item = services.get_item(db, "PB-100")
    version = item.head
    assert (item.status, version.state, version.author_id) == ("draft", "draft", author.user.id)
    assert version.media["scene"]["objects"][0]["kind"] == "child"
    assert [o["key"] for o in version.options] == [False, False, True, False]
    page = author.get("/examiner/items/PB-100").get_data(as_text=True)
    assert "Item PB-100 was saved as a draft." in page
    assert author.get(f"/bank/media/{version.id}/C.svg").status_code == 200


# -- the review cycle --------------------------------------------------------------------------


def post_action(browser, code: str, action: str, **fields):
    """Post an action form as the item page offers it (with the stamp it showed)."""
    page = browser.get(f"/examiner/items/{code}").get_data(as_text=True)
    return browser.submit(
        f"/examiner/items/{code}/{action}", {"stamp": hidden(page, "stamp"), **fields}
    )


def edit(browser, code: str, **changes):
    page = browser.get(f"/examiner/items/{code}/edit").get_data(as_text=True)
    data = form(base=hidden(page, "base"), **changes)
    del data["code"]
    return browser.submit(f"/examiner/items/{code}/edit", data)


def test_create_edit_submit_return_resubmit_approve(author, reviewer, db):
    assert author.submit("/examiner/items/new", form("ZZ-001")).status_code == 302
    assert edit(author, "ZZ-001", difficulty="2").status_code == 302
    item = services.get_item(db, "ZZ-001")
    assert [(v.number, v.difficulty) for v in item.versions] == [(1, 2)]  # own draft, in place

    assert post_action(author, "ZZ-001", "submit").status_code == 302
    db.expire_all()
    assert services.get_item(db, "ZZ-001").status == ItemStatus.IN_REVIEW
    # The author is told why there is no approve button; the reviewer gets both forms.
    own = author.get("/examiner/items/ZZ-001").get_data(as_text=True)
    assert "/examiner/items/ZZ-001/approve" not in own
    assert "you cannot approve or return it" in own
    theirs = reviewer.get("/examiner/items/ZZ-001").get_data(as_text=True)
    assert "/examiner/items/ZZ-001/approve" in theirs
    assert "/examiner/items/ZZ-001/return" in theirs
    assert "/examiner/items/ZZ-001/edit" not in theirs  # frozen while under review

    returned = post_action(reviewer, "ZZ-001", "return", return_comment="Tambahkan pilihan ketiga.")
    assert returned.status_code == 302
    page = author.get("/examiner/items/ZZ-001").get_data(as_text=True)
    assert "Returned for changes" in page
    assert "Tambahkan pilihan ketiga." in page
    assert reviewer.user.full_name in page
    assert "/examiner/items/ZZ-001/submit" not in page  # revised first, not resubmitted as is
    editing = author.get("/examiner/items/ZZ-001/edit").get_data(as_text=True)
    assert f"{reviewer.user.full_name} returned version 1:" in editing
    assert "Tambahkan pilihan ketiga." in editing
    assert "Saving starts version 2 as a draft; version 1 stays in the history" in editing

    # The revision is version 2; version 1 stays exactly as the reviewer returned it.
    assert edit(author, "ZZ-001", **{"options-2": "Menambah kecepatan"}).status_code == 302
    editing = author.get("/examiner/items/ZZ-001/edit").get_data(as_text=True)
    assert f"{reviewer.user.full_name} returned version 1:" in editing  # still shown
    assert "You are editing your draft, version 2." in editing
    diff = author.get("/examiner/items/ZZ-001/diff").get_data(as_text=True)
    assert "Menambah kecepatan" in diff
    assert post_action(author, "ZZ-001", "submit").status_code == 302
    approved = post_action(reviewer, "ZZ-001", "approve", approve_comment="Sudah baik.")
    assert approved.status_code == 302
    page = reviewer.get("/examiner/items/ZZ-001").get_data(as_text=True)
    assert "Version 2 was approved and is now active." in page

    db.expire_all()
    item = services.get_item(db, "ZZ-001")
    assert (item.status, item.head.state, len(item.head.options)) == ("active", "active", 3)
    assert [(v.number, v.state, len(v.options)) for v in item.versions] == [
        (1, "returned", 2),
        (2, "active", 3),
    ]
    events = [(e.action, e.actor_id) for e in authoring_services.review_events(db, item)]
    assert events == [
        ("submitted", author.user.id),
        ("returned", reviewer.user.id),
        ("submitted", author.user.id),
        ("approved", reviewer.user.id),
    ]
    trail = [a for a in actions(db) if a.startswith("bank.item_")]
    assert trail == [
        "bank.item_created",
        "bank.item_edited",
        "bank.item_submitted",
        "bank.item_returned",
        "bank.item_edited",
        "bank.item_submitted",
        "bank.item_approved",
    ]
    assert audit.verify(db).ok


def test_editing_an_active_item_starts_a_new_version(author, reviewer, db):
    services.import_contents(db, [content("KC-001", "Berapa batas kecepatan di permukiman?")])
    db.commit()
    page = author.get("/examiner/items/KC-001/edit").get_data(as_text=True)
    assert "Saving starts version 2 as a draft" in page
    assert 'value="Berapa batas kecepatan di permukiman?"' not in page  # a textarea, not input
    assert "Berapa batas kecepatan di permukiman?</textarea>" in page
    assert edit(author, "KC-001", difficulty="3").status_code == 302
    db.expire_all()
    item = services.get_item(db, "KC-001")
    assert [(v.number, v.state) for v in item.versions] == [(1, "active"), (2, "draft")]
    # Another examiner cannot edit somebody's draft, and is told so.
    refused = reviewer.get("/examiner/items/KC-001/edit")
    assert refused.status_code == 409
    assert "Another examiner is drafting this item." in refused.get_data(as_text=True)


def test_author_cannot_approve_or_return_own_item(author, db):
    author.submit("/examiner/items/new", form("ZZ-001"))
    post_action(author, "ZZ-001", "submit")
    before = actions(db)
    refused = post_action(author, "ZZ-001", "approve")
    assert refused.status_code == 403
    assert "You wrote this version of the item." in refused.get_data(as_text=True)
    refused = post_action(author, "ZZ-001", "return", return_comment="Saya ubah sendiri.")
    assert refused.status_code == 403
    db.expire_all()
    item = services.get_item(db, "ZZ-001")
    assert (item.status, item.head.state) == ("in_review", "in_review")
    assert [e.action for e in authoring_services.review_events(db, item)] == ["submitted"]
    # nothing changed but the audit chain, which records both refusals (core/duties.py)
    assert actions(db) == [*before, "access.own_case_refused", "access.own_case_refused"]


def test_illegal_and_stale_moves_change_nothing(author, reviewer, examiner, db):
    author.submit("/examiner/items/new", form("ZZ-001"))
    # Approving a draft that was never submitted: 409.
    assert post_action(reviewer, "ZZ-001", "approve").status_code == 409
    post_action(author, "ZZ-001", "submit")
    # A second reviewer opened the page; meanwhile the item was returned, changed and submitted
    # again. Their approval was for content they have not seen: 409.
    other = examiner()
    stale = hidden(other.get("/examiner/items/ZZ-001").get_data(as_text=True), "stamp")
    post_action(reviewer, "ZZ-001", "return", return_comment="Perjelas pertanyaannya.")
    edit(author, "ZZ-001", stem="Apa yang wajib dilakukan pengemudi sebelum berbelok ke kiri?")
    post_action(author, "ZZ-001", "submit")
    before = actions(db)
    response = other.submit("/examiner/items/ZZ-001/approve", {"stamp": stale})
    assert response.status_code == 409
    assert "This item changed after you opened the page." in response.get_data(as_text=True)
    assert actions(db) == before
    # An empty return comment is 422, beside the field.
    empty = post_action(reviewer, "ZZ-001", "return", return_comment="  ")
    assert empty.status_code == 422
    assert re.search(
        r'id="return_comment-error">Say what needs to change.', empty.get_data(as_text=True)
    )
    db.expire_all()
    assert services.get_item(db, "ZZ-001").head.state == VersionState.IN_REVIEW
    assert actions(db) == before


def test_retire(author, reviewer, db):
    services.import_contents(db, [content("KC-001", "Berapa batas kecepatan di permukiman?")])
    db.commit()
    assert post_action(reviewer, "KC-001", "retire").status_code == 422  # a reason is required
    response = post_action(reviewer, "KC-001", "retire", retire_comment="Aturan berubah.")
    assert response.status_code == 302
    page = author.get("/examiner/items/KC-001").get_data(as_text=True)
    assert "Retired" in page
    assert "Aturan berubah." in page
    assert "/examiner/items/KC-001/retire" not in page
    assert "A retired item cannot be edited." in page
    db.expire_all()
    assert services.get_item(db, "KC-001").status == ItemStatus.RETIRED
    assert "bank.item_retired" in actions(db)
    assert author.get("/examiner/items/KC-001/edit").status_code == 409


# -- preview and diff --------------------------------------------------------------------------


@pytest.mark.usefixtures("bank")
def test_preview_shows_the_candidate_view_without_the_key(author, db):
    version = services.get_item(db, "PB-001").head
    response = author.get("/examiner/items/PB-001/preview?class=C&version=1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    candidate, _sep, examiner_only = page.partition('<details class="answer-key">')
    assert "Apa yang sebaiknya Anda lakukan?" in candidate
    assert candidate.count('class="question-option"') == 2
    assert "30 km/jam" in candidate
    assert "60 km/jam" in candidate
    assert "is-key" not in candidate
    assert "Correct answer" not in candidate
    assert "Correct answer" in examiner_only
    assert '<strong>A. <span lang="id">30 km/jam</span></strong>' in examiner_only
    assert "PM 111/2015 menetapkan" in examiner_only
    # the English page previews the English (this item has none: it says so, in Indonesian)
    assert "This version has no English yet" in candidate
    image = f'src="/bank/media/{version.id}/C.svg?lang=en" alt="Jalan perumahan dengan anak'
    assert image in candidate
    # Class A candidates never get this item; the preview says so.
    assert "not used in class A exams" in author.get(
        "/examiner/items/PB-001/preview?class=A"
    ).get_data(as_text=True)


@pytest.mark.usefixtures("bank")
@pytest.mark.parametrize(
    "url",
    [
        "/examiner/items/PB-001/preview?class=B",
        "/examiner/items/PB-001/preview?version=2",
        "/examiner/items/PB-001/preview?version=x",
        "/examiner/items/ZZ-999/preview",
        "/examiner/items/PB-001/diff?a=1&b=7",
        "/examiner/items/ZZ-999",
    ],
)
def test_unknown_versions_and_items_are_404(author, url):
    assert author.get(url).status_code == 404


def test_diff_highlights_changed_fields(author, db):
    services.import_contents(db, [content("KC-001", "Berapa batas kecepatan di permukiman?")])
    db.commit()
    edit(
        author,
        "KC-001",
        topic="kecepatan",
        stem="Berapa batas kecepatan tertinggi di kawasan permukiman?",
        **{"options-0": "30 km/jam", "options-1": "60 km/jam"},
        difficulty="1",
        category="pengetahuan",
        explanation="PM 111/2015 menetapkan paling tinggi 30 km/jam di kawasan permukiman.",
        legal_basis="PM 111/2015 Pasal 3 ayat (4)",
        practice="0",  # now reserved for official exams
    )
    response = author.get("/examiner/items/KC-001/diff?a=1&b=2")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = re.findall(r'<tr class="(changed|same)">\s*<th scope="row">([^<]+?)\s*<', page)
    assert len(rows) == 13  # the question, options and explanation in both languages
    assert {label for state, label in rows if state == "changed"} == {"Question", "Used in"}
    assert '<ins><span class="visually-hidden">[added: </span>tertinggi' in page
    assert "kawasan " in page
    assert "2 of 13 fields changed from v1 to v2." in page
    # The default compares the newest version with the one before it.
    assert author.get("/examiner/items/KC-001/diff").get_data(as_text=True).count("changed") >= 1


# -- form helpers --------------------------------------------------------------------------------


def test_scene_text_parses_as_json_or_yaml_and_refuses_tricks():
    assert parse_scene('{"title": "Jalan", "road": "two_way"}') == {
        "title": "Jalan",
        "road": "two_way",
    }
    assert parse_scene("scene:\n  title: Jalan")["title"] == "Jalan"  # pasted from a YAML file
    for text, problem in [
        ("a: &a [1, 2]\nb: *a", "Anchors and aliases"),
        ("[" * 50 + "]" * 50, "nested too deeply"),
        ("title: 2026-01-01", "Use only text, numbers, lists and mappings."),
        ("just text", "Write the scene as a mapping"),
    ]:
        with pytest.raises(ValueError, match=problem):
            parse_scene(text)


def test_every_topic_and_sign_group_has_a_label():
    assert set(TOPIC_LABELS) == set(TOPICS)
    assert set(SIGN_GROUP_LABELS) == set(GROUPS)


def _offered(db, item, user) -> tuple:
    actions = authoring_services.allowed_actions(db, item, user)
    return actions.edit, actions.submit, actions.review, actions.retire


def test_the_page_offers_what_the_service_allows(author, reviewer, db):
    # the page asks authoring_services.allowed_actions; each action it offers the service takes,
    # and each it withholds the service refuses (IllegalTransition) -- one set of rules
    me, other = author.user, reviewer.user
    item = authoring_services.create_item(
        db, content("ZZ-090", "Batas kecepatan di permukiman?"), author=me
    )
    #                        edit,  submit, review, retire
    assert _offered(db, item, me) == (True, True, False, True)
    assert _offered(db, item, other) == (False, True, False, True)
    with pytest.raises(IllegalTransition) as refused:
        authoring_services.edit_item(db, item, content("ZZ-090", "Lain?"), author=other)
    assert str(refused.value) == authoring_services.allowed_actions(db, item, other).edit_reason

    authoring_services.submit_for_review(db, item, actor=me)
    assert _offered(db, item, me) == (False, False, False, True)
    assert authoring_services.allowed_actions(db, item, me).review_reason
    assert _offered(db, item, other) == (False, False, True, True)
    with pytest.raises(IllegalTransition) as refused:
        authoring_services.edit_item(db, item, content("ZZ-090", "Lain?"), author=me)
    assert str(refused.value) == authoring_services.allowed_actions(db, item, me).edit_reason
    with pytest.raises(IllegalTransition):
        authoring_services.submit_for_review(db, item, actor=me)

    authoring_services.return_for_changes(db, item, reviewer=other, comment="Perjelas.")
    assert _offered(db, item, me) == (True, False, False, True)
    assert _offered(db, item, other) == (False, False, False, True)
    with pytest.raises(IllegalTransition):
        authoring_services.approve(db, item, reviewer=other)

    authoring_services.edit_item(
        db, item, content("ZZ-090", "Batas kecepatan di kawasan permukiman?"), author=me
    )
    authoring_services.submit_for_review(db, item, actor=me)
    authoring_services.approve(db, item, reviewer=other)
    assert _offered(db, item, me) == (True, False, False, True)
    assert _offered(db, item, other) == (True, False, False, True)

    authoring_services.retire(db, item, actor=other)
    assert _offered(db, item, me) == (False, False, False, False)
    with pytest.raises(IllegalTransition) as refused:
        authoring_services.edit_item(db, item, content("ZZ-090", "Lain?"), author=me)
    assert str(refused.value) == authoring_services.allowed_actions(db, item, me).edit_reason
    with pytest.raises(IllegalTransition):
        authoring_services.retire(db, item, actor=other)
