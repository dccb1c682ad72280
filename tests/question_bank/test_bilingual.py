"""Items in Bahasa Indonesia and English (issue 20, point 5): the ``en`` block loads and is part
of the hash, the publish gate refuses an item without English (or with another number of
options) and runs the option cues on the English too, versions store the English, QTI packages
carry both languages and read back equal, signs and scenes are named in the reader's language,
and the authoring form and practice pages show the English."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.question_bank.test_authoring import form as item_form
from tests.question_bank.test_lint import clean_items
from ujisim.question_bank import lint, qti, qti_import, services
from ujisim.question_bank.content import ItemContent, Option, load_dir
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.lint import Gate, Rules
from ujisim.question_bank.lint_flags import ERROR
from ujisim.question_bank.media import render_media
from ujisim.question_bank.media.scenes import render_scene
from ujisim.question_bank.media.signs import SIGNS, render_sign
from ujisim.question_bank.models import ItemVersion
from ujisim.question_bank.translation import Translation


@pytest.fixture
def app_config(tmp_path, database_url):
    """A few made-up items, far below the official pool size (test_lint.py covers it)."""
    from tests.conftest import _test_config

    return _test_config(tmp_path, database_url, BANK_LINT_RULES={"pool_multiple": 0})


ITEM = """\
topic: kecepatan
items:
  - code: ZZ-001
    classes: [A, C]
    category: pengetahuan
    difficulty: 1
    practice: false
    stem: Berapa batas kecepatan tertinggi di kawasan permukiman?
    options:
      - text: 30 km/jam
        key: true
      - text: 60 km/jam
    explanation: PM 111/2015 menetapkan paling tinggi 30 km/jam di kawasan permukiman.
    legal_basis: PM 111/2015 Pasal 3 ayat (4)
{english}"""
ENGLISH = """\
    en:
      stem: What is the highest speed allowed in a residential area?
      options: [30 km/h, 60 km/h]
      explanation: PM 111/2015 sets at most 30 km/h in residential areas.
"""


def write(tmp_path: Path, english: str = ENGLISH) -> Path:
    (tmp_path / "a.yaml").write_text(ITEM.format(english=english), encoding="utf-8")
    return tmp_path


def item(english: Translation | None = None, **changes) -> ItemContent:
    base = ItemContent(
        code="ZZ-001", classes=("A", "C"), category="pengetahuan", topic="kecepatan",
        stem="Berapa batas kecepatan tertinggi di kawasan permukiman?",
        options=(Option("30 km/jam", True), Option("60 km/jam")),
        explanation="Penjelasan.", legal_basis="PM 111/2015 Pasal 3", difficulty=1,
        practice=False, en=english,
    )  # fmt: skip
    return replace(base, **changes)


EN = Translation("What is the highest speed in a residential area?", ("30 km/h", "60 km/h"), "Why.")


# -- content: load, canonical form, hash ------------------------------------------------------


def test_the_en_block_loads_into_the_item_and_its_hash(tmp_path):
    items, problems = load_dir(write(tmp_path))
    assert problems == []
    (loaded,) = items
    assert loaded.en == Translation(
        "What is the highest speed allowed in a residential area?",
        ("30 km/h", "60 km/h"),
        "PM 111/2015 sets at most 30 km/h in residential areas.",
    )
    assert loaded.canonical()["en"] == {
        "stem": loaded.en.stem,
        "options": ["30 km/h", "60 km/h"],
        "explanation": loaded.en.explanation,
    }
    # the English is part of what defines the item: another translation, another hash
    other = replace(loaded, en=replace(loaded.en, stem="How fast may you drive in a housing area?"))
    assert other.content_hash != loaded.content_hash
    # the reader of English gets the English, with the key where it was
    shown = loaded.in_language("en")
    assert (shown.stem, [o.text for o in shown.options]) == (loaded.en.stem, ["30 km/h", "60 km/h"])
    assert [o.key for o in shown.options] == [True, False]
    assert loaded.in_language("id") is loaded


def test_an_item_without_english_still_loads_and_keeps_its_old_hash(tmp_path):
    items, problems = load_dir(write(tmp_path, english=""))
    assert problems == []
    assert items[0].en is None
    assert "en" not in items[0].canonical()  # items published before keep their hashes
    assert items[0].in_language("en") is items[0]


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        ("    en: text\n", "a.yaml:15:en: [ZZ-001] en must be a mapping"),
        (
            "    en:\n      stem: ''\n      options: [a, b]\n      explanation: x\n",
            "a.yaml:16:en.stem: [ZZ-001] stem is required",
        ),
        (
            "    en:\n      stem: x\n      options: [a, A]\n      explanation: x\n",
            "a.yaml:17:en.options: [ZZ-001] two options have the same text",
        ),
        (
            "    en:\n      stem: x\n      options: [a, b]\n      explanation: x\n      key: 0\n",
            "a.yaml:15:en: [ZZ-001] unknown field(s) in en: key",
        ),
    ],
)
def test_a_broken_en_block_names_file_line_and_field(tmp_path, runner, english, expected):
    result = runner.invoke(args=["bank", "validate", str(write(tmp_path, english))])
    assert result.exit_code == 1
    assert expected in result.output


# -- the publish gate -------------------------------------------------------------------------


@pytest.mark.both_backends  # stored and read back by SQLite and PostgreSQL
def test_the_gate_refuses_an_item_without_english(db):
    """Without the rule the item would publish: the bank below passes every other check."""
    items = clean_items()
    gate = Gate(rules=Rules(pool_multiple=0))
    assert gate.problems(items) == []
    items[4] = replace(items[4], en=None)
    problems = gate.problems(items)
    assert [(p.field, p.code) for p in problems] == [("translation_missing", items[4].code)]
    assert "belum memiliki teks bahasa Inggris" in problems[0].message
    services.import_contents(db, clean_items(), gate=gate)
    db.commit()
    with pytest.raises(ContentError) as refused:
        services.import_contents(db, items, gate=gate)
    assert refused.value.problems[0].field == "translation_missing"
    db.rollback()
    assert services.latest_bank_version(db).number == 1


@pytest.mark.both_backends  # stored and read back by SQLite and PostgreSQL
def test_flask_bank_import_refuses_an_item_without_english(tmp_path, runner, db):
    result = runner.invoke(args=["bank", "import", str(write(tmp_path, english=""))])
    assert result.exit_code == 1
    assert "ZZ-001: Soal ini belum memiliki teks bahasa Inggris" in result.output
    assert "nothing imported" in result.output
    result = runner.invoke(args=["bank", "import", str(write(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    version = db.scalars(select(ItemVersion)).one()
    assert version.text("en").stem == "What is the highest speed allowed in a residential area?"


def test_the_gate_refuses_english_with_another_number_of_options():
    items = clean_items()
    items[2] = replace(items[2], en=replace(items[2].en, options=items[2].en.options[:3]))
    flags = [f for f in lint.lint_items(items) if f.rule == "translation_options"]
    assert [(f.severity, f.codes, f.params) for f in flags] == [
        (ERROR, (items[2].code,), {"id": 4, "en": 3})
    ]
    assert "The English text has 3 options where the Indonesian has 4" in flags[0].message()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("You must always stop here 00", "absolute"),
        ("Never pass on this side at 00", "absolute"),
        ("All of the above are correct", "all_none"),
        ("Both answers A and B are right", "all_none"),
        ("Short", "length_ratio"),
    ],
)
def test_the_option_cues_are_checked_in_the_english_too(text, rule):
    items = clean_items()
    english = items[3].en
    items[3] = replace(items[3], en=replace(english, options=(text, *english.options[1:])))
    flags = [f for f in lint.lint_items(items) if f.rule == rule]
    assert [(f.codes, f.lang) for f in flags] == [(("ZZ-004",), "en")]
    assert flags[0].message().startswith("In the English text: ")


def test_the_key_share_rules_run_on_the_english():
    items = clean_items()
    # the English keys of five items made the longest option: the Indonesian stays clean
    planted = [
        replace(i, en=replace(i.en, options=tuple(t + " yes" if o.key else t for t, o in
                                                  zip(i.en.options, i.options, strict=True))))
        if n < 5 else i
        for n, i in enumerate(items)
    ]  # fmt: skip
    flags = [f for f in lint.lint_items(planted) if f.rule == "key_longest"]
    assert {(f.params["cls"], f.lang) for f in flags} == {("A", "en"), ("C", "en")}
    assert set(flags[0].codes) == {i.code for i in planted[:5]}


def test_the_gate_refuses_a_scene_without_english_text():
    """Without the rule the item would publish: the bank below passes every other check."""
    scene = {"title": "Jalan dua arah", "objects": [
        {"kind": "truck", "pos": 0.4, "x": -0.5, "label": "truk sampah"}]}  # fmt: skip
    items = clean_items()
    gate = Gate(rules=Rules(pool_multiple=0))
    items[0] = replace(items[0], media={"scene": scene}, category="persepsi_bahaya")
    assert [(p.field, p.code) for p in gate.problems(items)] == [("translation_media", "ZZ-001")]
    flags = [f for f in lint.lint_items(items) if f.rule == "translation_media"]
    assert [(f.severity, f.codes) for f in flags] == [(ERROR, ("ZZ-001",))]
    assert "(label_en): write them in English too" in flags[0].message()
    scene = {**scene, "title_en": "A two-way road"}
    items[0] = replace(items[0], media={"scene": scene})
    assert [p.field for p in gate.problems(items)] == ["translation_media"]  # the caption
    scene["objects"] = [{**scene["objects"][0], "label_en": "bin truck"}]
    items[0] = replace(items[0], media={"scene": scene})
    assert gate.problems(items) == []


def test_an_official_picture_names_nothing_in_english_either():
    truck = {"kind": "truck", "pos": 0.4, "x": -0.5, "label": "truk", "label_en": "Slow down"}
    scene = {"title": "Truk di depan", "title_en": "A lorry ahead", "objects": [truck]}
    planted = item(EN, media={"scene": scene}, category="persepsi_bahaya")
    planted = replace(planted, en=replace(EN, options=("Slow down", "Speed up")))
    flags = [f for f in lint.lint_items([planted]) if f.rule == "media_leak"]
    assert {(f.lang, f.params["what"]) for f in flags} == {("en", "an option")}


# -- the database ------------------------------------------------------------------------------


@pytest.mark.both_backends  # stored and read back by SQLite and PostgreSQL
def test_a_version_stores_the_english_and_gives_it_back(db):
    services.import_contents(db, [item(EN)])
    db.commit()
    version = db.scalars(select(ItemVersion)).one()
    assert services.content_of(version) == item(EN)
    assert version.content_hash == item(EN).content_hash
    english = version.text("en")
    assert (english.lang, english.stem, english.explanation) == ("en", EN.stem, EN.explanation)
    assert english.options == [{"text": "30 km/h", "key": True}, {"text": "60 km/h", "key": False}]
    assert english.shown([1, 0])[0]["text"] == "60 km/h"
    assert version.text("id").stem == item().stem
    # an update that only adds the English is a new version, the old one kept as it was
    services.import_contents(db, [item(replace(EN, stem="How fast, at most, in a housing area?"))])
    db.commit()
    assert [v.text("en").stem for v in db.scalars(select(ItemVersion).order_by(ItemVersion.id))] \
        == [EN.stem, "How fast, at most, in a housing area?"]  # fmt: skip


@pytest.mark.both_backends  # stored and read back by SQLite and PostgreSQL
def test_a_version_without_english_is_shown_in_indonesian(db):
    services.import_contents(db, [item()])
    db.commit()
    version = db.scalars(select(ItemVersion)).one()
    assert version.translations_json is None
    assert services.content_of(version).en is None
    english = version.text("en")
    assert (english.lang, english.stem) == ("id", item().stem)


# -- QTI ---------------------------------------------------------------------------------------


@pytest.mark.both_backends  # stored and read back by SQLite and PostgreSQL
def test_qti_carries_both_languages_and_reads_them_back(db, runner, tmp_path):
    scene = {"title": "Truk di depan", "title_en": "A lorry ahead", "objects": [
        {"kind": "truck", "pos": 0.4, "x": -0.5, "label": "truk sampah",
         "label_en": "rubbish lorry"}]}  # fmt: skip
    bilingual = [
        item(EN),
        item(replace(EN, stem="Which lorry?"), code="ZZ-002", stem="Truk yang mana?",
             category="persepsi_bahaya", media={"scene": scene}),
        item(None, code="ZZ-003", stem="Soal lama tanpa bahasa Inggris?", practice=True),
    ]  # fmt: skip
    data = qti.write_package(bilingual)
    items, problems = qti_import.read_package(data)
    assert problems == []
    assert items == bilingual  # English and all, scene text too
    text = qti.item_xml(bilingual[0]).decode()
    assert '<span xml:lang="id">30 km/jam</span>' in text
    assert '<span xml:lang="en">30 km/h</span>' in text
    assert f'<p xml:lang="en">{EN.explanation}</p>' in text
    # an item without English keeps the plain texts of the packages written before
    plain = qti.item_xml(bilingual[2]).decode()
    assert "xml:lang=" not in plain.partition("?>")[2].partition(">")[2]
    assert "<qti-prompt>Soal lama tanpa bahasa Inggris?</qti-prompt>" in plain
    # and through the database: import, export, the same bytes
    path = tmp_path / "p.zip"
    path.write_bytes(qti.write_package(bilingual[:2]))
    result = runner.invoke(args=["bank", "import-qti", str(path)])
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.zip"
    assert runner.invoke(args=["bank", "export-qti", str(again)]).exit_code == 0
    assert again.read_bytes() == path.read_bytes()


# -- media in the reader's language -------------------------------------------------------------


def test_every_sign_has_an_english_name_used_by_english_drawings():
    for sign in SIGNS.values():
        assert sign.name_en, sign.id
        assert sign.name_en != sign.name_id, sign.id
        svg = render_sign(sign.id, lang="en")
        assert f"<title>{sign.name_en.replace('&', '&amp;')}</title>" in svg
        assert ' lang="en"' in svg
        assert render_sign(sign.id, named=False, lang="en") == render_sign(sign.id, named=False)
    assert "<title>Larangan parkir</title>" in render_sign("larangan_parkir")
    assert "<title>No parking</title>" in render_sign("larangan_parkir", lang="en")


def test_a_scene_is_described_and_captioned_in_english_for_english_readers():
    scene = {"title": "Truk di depan", "road": "two_way", "objects": [
        {"kind": "truck", "pos": 0.4, "x": -0.5, "label": "truk sampah"}]}  # fmt: skip
    indonesian = render_scene(scene, "A")
    english_scene = {**scene, "title_en": "A lorry ahead", "objects": [
        {**scene["objects"][0], "label_en": "rubbish lorry"}]}  # fmt: skip
    # adding the English leaves the Indonesian drawing as it was, byte for byte
    assert render_scene(english_scene, "A") == indonesian
    english = render_scene(english_scene, "A", lang="en")
    assert "<title" in english
    assert "A lorry ahead</title>" in english
    assert ">rubbish lorry<" in english
    assert "truk sampah" not in english
    assert ' lang="en"' in english
    official = render_media({"scene": english_scene}, "A", official=True, lang="en")
    assert "<title" not in official
    assert "A lorry ahead" not in official
    assert ">rubbish lorry<" in official  # a caption is part of the drawing
    # a scene without English keeps its Indonesian for everybody
    assert "Truk di depan</title>" in render_scene(scene, "A", lang="en")


# -- authoring and practice ----------------------------------------------------------------------


def english_fields(**changes) -> dict:
    data = {
        "en_stem": "What must you do before turning left?",
        "en_options-0": "Give a signal with the indicator",
        "en_options-1": "Sound a long blast of the horn",
        "en_options-2": "",
        "en_options-3": "",
        "en_explanation": "A driver must signal before turning.",
    }
    return {**data, **changes}


def test_an_author_writes_the_english_beside_the_indonesian(author, db):
    page = author.get("/examiner/items/new").get_data(as_text=True)
    for name in ("en_stem", "en_options-0", "en_options-3", "en_explanation"):
        assert f'name="{name}"' in page
    response = author.submit("/examiner/items/new", item_form("ZZ-100", **english_fields()))
    assert response.status_code == 302
    version = services.get_item(db, "ZZ-100").head
    english = version.text("en")
    assert english.stem == "What must you do before turning left?"
    assert [o["text"] for o in english.options] == [
        "Give a signal with the indicator", "Sound a long blast of the horn"]  # fmt: skip
    assert english.options[0]["key"]
    # the edit form gives it back, the item page shows both languages
    form = author.get("/examiner/items/ZZ-100/edit").get_data(as_text=True)
    assert 'value="Sound a long blast of the horn"' in form
    shown = author.get("/examiner/items/ZZ-100").get_data(as_text=True)
    assert '<p class="stem" lang="en" id="english-stem">What must you do' in shown


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"en_stem": ""}, "This field is required."),
        ({"en_options-1": ""}, "Write option B in English too."),
        ({"en_options-2": "Stop"}, "Option C has English but no Indonesian text."),
        ({"en_options-1": "give a signal with the indicator"}, "Two options have the same text."),
    ],
)
def test_the_english_gets_the_same_checks_as_the_indonesian(author, db, changes, message):
    response = author.submit(
        "/examiner/items/new", item_form("ZZ-101", **english_fields(**changes))
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert services.get_item(db, "ZZ-101") is None


def test_an_item_saved_without_english_is_flagged_on_its_page(author, db):
    assert author.submit("/examiner/items/new", item_form("ZZ-102")).status_code == 302
    page = author.get("/examiner/items/ZZ-102").get_data(as_text=True)
    assert "No English yet" in page
    assert "The item has no English text" in page


def test_practice_shows_items_and_pictures_in_the_pages_language(client, db):
    sign = item(
        EN, code="RB-900", topic="rambu", practice=True, media={"sign": "larangan_parkir"},
        stem="Apa arti rambu ini?", en=replace(EN, stem="What does this sign mean?"),
    )  # fmt: skip
    services.import_contents(db, [sign, item(EN, code="ZZ-002", stem="Soal cadangan?")])
    db.commit()
    version = db.scalars(select(ItemVersion).where(ItemVersion.practice.is_(True))).one()
    indonesian = client.get("/latihan/A/topik/rambu").get_data(as_text=True)
    assert '<p class="stem" data-speak-part lang="id">Apa arti rambu ini?</p>' in indonesian
    assert f'src="/bank/media/{version.id}/A.svg"' in indonesian
    client.submit("/lang", {"lang": "en"})
    english = client.get("/latihan/A/topik/rambu").get_data(as_text=True)
    assert '<p class="stem" data-speak-part lang="en">What does this sign mean?</p>' in english
    assert re.search(r'lang="en">30 km/h</span>', english)
    assert f'<span lang="en">{EN.explanation}</span>' in english
    assert f'src="/bank/media/{version.id}/A.svg?lang=en"' in english
    svg = client.get(f"/bank/media/{version.id}/A.svg?lang=en").get_data(as_text=True)
    assert "<title>No parking</title>" in svg
    assert client.get(f"/bank/media/{version.id}/A.svg?lang=fr").status_code == 404
