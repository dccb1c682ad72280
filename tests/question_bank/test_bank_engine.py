"""Validation with file:line:field, all-or-nothing import, immutable bank versions, and the
authoring state machine walked through its whole table."""

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.workflow_walk import pairs, walk
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import IllegalTransition
from ujisim.core.security import Role
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank.content import DATA_DIR, ItemContent, Option, is_clip, load_dir
from ujisim.question_bank.errors import ContentError, SelfApproval
from ujisim.question_bank.models import BankVersion, Item, ItemStatus, ReviewEvent, VersionState


@pytest.fixture
def app_config(tmp_path, database_url):
    """Most banks here are a few made-up items, far below the official pool size, which the
    publish gate's own tests (test_lint.py) cover."""
    from tests.conftest import _test_config

    return _test_config(tmp_path, database_url, BANK_LINT_RULES={"pool_multiple": 0})


GOOD = """\
topic: kecepatan
items:
  - code: ZZ-001
    classes: [A, C]
    category: pengetahuan
    difficulty: 1
    stem: Berapa batas kecepatan tertinggi di kawasan permukiman?
    options:
      - text: 30 km/jam
        key: true
      - text: 60 km/jam
    explanation: PM 111/2015 menetapkan paling tinggi 30 km/jam di kawasan permukiman.
    legal_basis: PM 111/2015 Pasal 3 ayat (4)
    practice: false
    en:
      stem: What is the highest speed allowed in a residential area?
      options: [30 km/h, 60 km/h]
      explanation: PM 111/2015 sets at most 30 km/h in residential areas.
"""
BAD = """\
topic: kecepatan
items:
  - code: ZZ-002
    classes: [A, B]
    category: pengetahuan
    difficulty: 5
    stem: Soal tanpa kunci?
    options:
      - text: Ya
      - text: ya
    explanation: x
    legal_basis: x
    media: {sign: tidak_ada}
    practice: sometimes
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_content_is_valid_and_large_enough():
    items, problems = load_dir(DATA_DIR)
    assert [str(p) for p in problems] == []
    a = [i for i in items if "A" in i.classes]
    c = [i for i in items if "C" in i.classes]
    assert len(a) >= 250
    assert len(c) >= 250
    assert sum(i.classes == ("A",) for i in items) >= 60
    assert sum(i.classes == ("C",) for i in items) >= 60
    hazard = [i for i in items if i.category == "persepsi_bahaya" and not is_clip(i.media)]
    assert len(hazard) >= 90
    assert all(i.media and "scene" in i.media for i in hazard)
    signs = {i.media["sign"] for i in items if i.media and "sign" in i.media}
    assert len(signs) >= 50
    assert all(i.explanation and i.legal_basis for i in items)


def test_validate_reports_file_line_and_field(tmp_path, runner):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", BAD)
    result = runner.invoke(args=["bank", "validate", str(tmp_path)])
    assert result.exit_code == 1
    out = result.output
    assert "b.yaml:4:classes: [ZZ-002] classes must be a non-empty list of A and/or C" in out
    assert "b.yaml:6:difficulty:" in out
    assert "b.yaml:8:options: [ZZ-002] exactly one option must be the key (found 0)" in out
    assert "two options have the same text" in out
    assert "b.yaml:13:media.sign: [ZZ-002] unknown sign 'tidak_ada'" in out
    assert "b.yaml:14:practice: [ZZ-002] practice must be true" in out
    assert "a.yaml" not in out


def test_duplicate_codes_and_stems_across_files(tmp_path, runner):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("ZZ-001", "ZZ-009"))
    write(tmp_path, "c.yaml", GOOD.replace("permukiman?", "tol?"))
    out = runner.invoke(args=["bank", "validate", str(tmp_path)]).output
    assert "b.yaml:3:stem: [ZZ-009] same stem as ZZ-001" in out
    assert "c.yaml:3:code: [ZZ-001] duplicate code (first at a.yaml:3)" in out


def test_broken_yaml_names_the_line(tmp_path, runner):
    write(tmp_path, "a.yaml", GOOD.replace("legal_basis: PM", "legal_basis: : PM: x"))
    out = runner.invoke(args=["bank", "validate", str(tmp_path)]).output
    assert out.startswith("a.yaml:13:yaml: mapping values are not allowed here")


def test_bad_file_imports_nothing(tmp_path, runner, db):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", BAD)
    result = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert db.scalars(select(Item)).all() == []
    assert db.scalars(select(BankVersion)).all() == []


def test_import_publishes_once_and_again_only_on_change(tmp_path, runner, db):
    write(tmp_path, "a.yaml", GOOD)
    first = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert "1 new" in first.output
    assert "published bank version 1" in first.output
    again = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert "1 unchanged" in again.output
    assert "still bank version 1" in again.output
    write(tmp_path, "a.yaml", GOOD.replace("difficulty: 1", "difficulty: 2"))
    changed = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert "1 updated" in changed.output
    assert "published bank version 2" in changed.output
    item = db.scalars(select(Item)).one()
    assert [(v.number, v.state) for v in item.versions] == [(1, "superseded"), (2, "active")]
    banks = db.scalars(select(BankVersion).order_by(BankVersion.number)).all()
    assert [b.item_count for b in banks] == [1, 1]
    assert banks[0].content_hash != banks[1].content_hash
    first_bank = services.bank_item_versions(db, banks[0])
    assert first_bank[0].difficulty == 1  # the old snapshot still holds the old version


def test_published_bank_detects_edits_underneath(tmp_path, runner, db):
    write(tmp_path, "a.yaml", GOOD)
    runner.invoke(args=["bank", "import", str(tmp_path)])
    bank = services.latest_bank_version(db)
    assert services.verify_bank_version(db, bank)
    version = services.bank_item_versions(db, bank)[0]
    version.stem = "Diubah diam-diam"
    db.commit()
    assert not services.verify_bank_version(db, bank)


def test_the_whole_bank_imports(db):
    items, _problems = load_dir()
    result = services.import_contents(db, items)
    db.commit()
    assert result.created == len(items)
    bank = result.bank_version
    assert bank.item_count == len(items)
    assert len(services.bank_item_versions(db, bank, "A")) >= 250
    assert len(services.bank_item_versions(db, bank, "C")) >= 250
    assert services.verify_bank_version(db, bank)


# -- authoring state machine -------------------------------------------------------------------


def content(code="ZZ-100", stem="Apa yang wajib dilakukan sebelum berbelok?", **changes):
    base = dict(
        code=code,
        classes=("A", "C"),
        category="wawasan",
        topic="perilaku_etika",
        stem=stem,
        options=(
            Option("Memberi isyarat lampu penunjuk arah", True),
            Option("Membunyikan klakson"),
        ),
        explanation="UU 22/2009 Pasal 112 ayat (1) mewajibkan isyarat sebelum berbelok.",
        legal_basis="UU 22/2009 Pasal 112 ayat (1)",
        difficulty=1,
    )
    base.update(changes)
    return ItemContent(**base)


@pytest.fixture
def author(make_user):
    return make_user(Role.EXAMINER)


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.EXAMINER)


def test_full_life_of_an_item(db, author, reviewer):
    item = authoring_services.create_item(db, content(), author=author)
    assert (item.status, item.head.state) == (ItemStatus.DRAFT, VersionState.DRAFT)
    authoring_services.edit_item(
        db, item, content(difficulty=2), author=author
    )  # own draft: in place
    assert len(item.versions) == 1
    assert item.head.difficulty == 2
    authoring_services.submit_for_review(db, item, actor=author)
    assert item.status == ItemStatus.IN_REVIEW
    with pytest.raises(IllegalTransition):
        authoring_services.edit_item(db, item, content(difficulty=3), author=author)
    authoring_services.return_for_changes(
        db, item, reviewer=reviewer, comment="Tambahkan pilihan ketiga."
    )
    assert (item.status, item.head.state) == (ItemStatus.DRAFT, VersionState.RETURNED)
    with pytest.raises(IllegalTransition):  # revised first: never resubmitted unchanged
        authoring_services.submit_for_review(db, item, actor=author)
    with pytest.raises(IllegalTransition):  # the author revises it, nobody else
        authoring_services.edit_item(db, item, content(difficulty=3), author=reviewer)
    authoring_services.edit_item(
        db, item, content(options=(*content().options, Option("Menambah kecepatan"))), author=author
    )
    assert [(v.number, v.state, len(v.options)) for v in item.versions] == [
        (1, "returned", 2),  # as the reviewer saw it
        (2, "draft", 3),
    ]
    authoring_services.submit_for_review(db, item, actor=author)
    authoring_services.approve(db, item, reviewer=reviewer)
    assert (item.status, item.head.state) == (ItemStatus.ACTIVE, VersionState.ACTIVE)

    # Editing an active item starts version 3; version 2 stays active until 3 is approved.
    authoring_services.edit_item(db, item, content(difficulty=3), author=reviewer)
    assert [v.state for v in item.versions] == ["returned", "active", "draft"]
    assert item.status == ItemStatus.ACTIVE
    authoring_services.submit_for_review(db, item, actor=reviewer)
    authoring_services.approve(db, item, reviewer=author)
    assert [v.state for v in item.versions] == ["returned", "superseded", "active"]

    authoring_services.retire(db, item, actor=reviewer, comment="Aturan berubah.")
    assert item.status == ItemStatus.RETIRED
    with pytest.raises(IllegalTransition):
        authoring_services.retire(db, item, actor=reviewer)
    with pytest.raises(IllegalTransition):
        authoring_services.edit_item(db, item, content(), author=author)
    db.commit()
    actions = [r.action for r in db.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions.count("bank.item_approved") == 2
    assert "bank.item_returned" in actions
    assert "bank.item_retired" in actions
    events = authoring_services.review_events(db, item)
    returned = next(e for e in events if e.action == "returned")
    assert returned.comment == "Tambahkan pilihan ketiga."
    assert returned.actor_id == reviewer.id


def test_author_can_never_approve_or_return_own_item(db, author):
    item = authoring_services.create_item(db, content(), author=author)
    authoring_services.submit_for_review(db, item, actor=author)
    with pytest.raises(SelfApproval):
        authoring_services.approve(db, item, reviewer=author)
    with pytest.raises(SelfApproval):
        authoring_services.return_for_changes(db, item, reviewer=author, comment="x")
    assert item.status == ItemStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (VersionState.DRAFT, VersionState.ACTIVE),
        (VersionState.DRAFT, VersionState.SUPERSEDED),
        (VersionState.ACTIVE, VersionState.DRAFT),
        (VersionState.ACTIVE, VersionState.IN_REVIEW),
        (VersionState.SUPERSEDED, VersionState.ACTIVE),
        (VersionState.IN_REVIEW, VersionState.SUPERSEDED),
        (VersionState.IN_REVIEW, VersionState.DRAFT),
        (VersionState.RETURNED, VersionState.IN_REVIEW),
        (VersionState.RETURNED, VersionState.ACTIVE),
    ],
)
def test_illegal_moves_are_refused(db, author, start, target):
    item = authoring_services.create_item(db, content(), author=author)
    item.head.state = start
    with pytest.raises(IllegalTransition):
        authoring_services._advance(db, item.head, target, author)
    assert item.head.state == start


def test_every_table_entry_is_reachable(db, author, reviewer):
    """Each legal transition is taken by the public verbs (see test_full_life_of_an_item)."""
    taken = set()
    for event in [
        lambda i: authoring_services.submit_for_review(db, i, actor=author),
        lambda i: authoring_services.return_for_changes(db, i, reviewer=reviewer, comment="ubah"),
        lambda i: authoring_services.edit_item(db, i, content(difficulty=3), author=author),
        lambda i: authoring_services.submit_for_review(db, i, actor=author),
        lambda i: authoring_services.approve(db, i, reviewer=reviewer),
        lambda i: authoring_services.edit_item(db, i, content(difficulty=2), author=author),
        lambda i: authoring_services.submit_for_review(db, i, actor=author),
        lambda i: authoring_services.approve(db, i, reviewer=reviewer),
    ]:
        item = db.scalars(select(Item)).first() or authoring_services.create_item(
            db, content(), author=author
        )
        event(item)
    for e in authoring_services.review_events(db, item):
        taken.add(e.action)
    assert taken == set(services.VERSION_TRANSITIONS.values())


def test_duplicate_code_is_refused(db, author):
    authoring_services.create_item(db, content(), author=author)
    with pytest.raises(ContentError):
        authoring_services.create_item(db, content(stem="Lain"), author=author)


def test_import_refuses_to_overtake_a_revision(tmp_path, db, author):
    items = [content(code="ZZ-001")]
    services.import_contents(db, items)
    item = services.get_item(db, "ZZ-001")
    authoring_services.edit_item(db, item, content(code="ZZ-001", difficulty=3), author=author)
    with pytest.raises(ContentError) as error:
        services.import_contents(db, [content(code="ZZ-001", difficulty=2)])
    assert error.value.problems[0].code == "ZZ-001"


def test_one_active_version_per_item_is_enforced_by_the_database(db, author, reviewer):
    from sqlalchemy.exc import IntegrityError

    services.import_contents(db, [content(code="ZZ-001")])
    item = services.get_item(db, "ZZ-001")
    authoring_services.edit_item(db, item, content(code="ZZ-001", difficulty=3), author=author)
    item.head.state = VersionState.ACTIVE  # bypassing the services
    with pytest.raises(IntegrityError):
        db.flush()


def drop(line: str):
    return lambda text: "".join(t for t in text.splitlines(True) if not t.startswith(line))


def after(line: str, added: str):
    return lambda text: text.replace(line, line + added)


# GOOD by line: 3 code, 4 classes, 5 category, 6 difficulty, 7 stem, 8 options (9-11),
# 12 explanation, 13 legal_basis, 14 practice
BAD_FILES = {
    "no stem": (drop("    stem:"), "a.yaml:3:stem: [ZZ-001] stem is required"),
    "empty explanation": (
        lambda t: t.replace("explanation: PM 111/2015 menetapkan", "explanation: ''  #"),
        "a.yaml:12:explanation: [ZZ-001] explanation is required",
    ),
    "no legal basis": (drop("    legal_basis:"), "a.yaml:3:legal_basis: [ZZ-001] legal_basis is"),
    "one option": (drop("      - text: 60"), "a.yaml:8:options: [ZZ-001] an item needs 2 to 4"),
    "five options": (
        after(
            "      - text: 60 km/jam\n", "".join(f"      - text: {n} km/jam\n" for n in (1, 2, 3))
        ),
        "a.yaml:8:options: [ZZ-001] an item needs 2 to 4 options",
    ),
    "key not a boolean": (
        lambda t: t.replace("key: true", "key: ya"),
        "a.yaml:9:options[0].key: [ZZ-001] key must be true or false",
    ),
    "unknown field": (
        after("    practice: false\n", "    sumber: buku panduan\n"),
        "a.yaml:15:sumber: [ZZ-001] unknown field(s): sumber",
    ),
    "bad code": (lambda t: t.replace("ZZ-001", "zz-1"), "a.yaml:3:code: [zz-1] code must look"),
    "hazard item without a scene": (
        lambda t: t.replace("category: pengetahuan", "category: persepsi_bahaya"),
        "a.yaml:3:media: [ZZ-001] a persepsi_bahaya item needs a scene",
    ),
    "invalid scene": (
        after("    practice: false\n", "    media: {scene: {title: Jalan, road: terbang}}\n"),
        "a.yaml:15:media.scene: [ZZ-001]",
    ),
    "an item that is not a mapping": (
        after("items:\n", "  - sekadar teks\n"),
        "a.yaml:3:item: each item must be a mapping",
    ),
    "no items list": (lambda t: "topic: kecepatan\n", "a.yaml:1:items: the file needs"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_every_bad_file_case_names_file_line_and_field_and_imports_nothing(
    case, tmp_path, runner, db
):
    mutate, expected = BAD_FILES[case]
    write(tmp_path, "a.yaml", mutate(GOOD))
    checked = runner.invoke(args=["bank", "validate", str(tmp_path)])
    assert checked.exit_code == 1
    assert expected in checked.output, checked.output
    loaded = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert loaded.exit_code == 1
    assert "nothing imported" in loaded.output
    assert db.scalars(select(Item)).all() == []


@pytest.mark.parametrize(("src", "dst"), pairs(VersionState))
def test_version_table(db, author, src, dst):
    """Every pair walked through the engine (review event and audit record when allowed)."""
    version = authoring_services.create_item(db, content(), author=author).head
    if walk(db, version, src, dst, author):
        event = db.scalars(select(ReviewEvent).order_by(ReviewEvent.id.desc())).first()
        assert (event.from_state, event.to_state, event.version_id) == (src, dst, version.id)


@pytest.mark.parametrize(("src", "dst"), pairs(ItemStatus))
def test_item_status_table(db, author, src, dst):
    item = authoring_services.create_item(db, content(), author=author)
    walk(db, item, src, dst, author)


def test_an_import_supersedes_through_the_table(db, author):
    """An import that changes an active item supersedes its version with a review event and an
    audit record, like a reviewer's approval does."""
    services.import_contents(db, [content()])
    changed = dataclasses.replace(content(), explanation="Penjelasan yang diperbarui untuk ini.")
    services.import_contents(db, [changed])
    item = services.get_item(db, changed.code)
    old, new = sorted(item.versions, key=lambda v: v.number)
    assert (old.state, new.state) == (VersionState.SUPERSEDED, VersionState.ACTIVE)
    event = db.scalars(select(ReviewEvent).where(ReviewEvent.version_id == old.id)).one()
    assert (event.action, event.from_state, event.to_state) == (
        "superseded",
        "active",
        "superseded",
    )
    actions = db.scalars(select(AuditRecord.action).where(AuditRecord.object_id == item.code))
    assert "bank.item_superseded" in list(actions)
