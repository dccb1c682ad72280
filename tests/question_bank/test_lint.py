"""The publish gate (question_bank/lint.py): each surface cue a test-wise candidate uses is
refused, official pictures name nothing, near-duplicates must share an enemy group, the official
pool is big enough, and production never publishes the repository's demo set. The shipped bank
passes; the same bank with a planted cue does not."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.question_bank.conftest import shipped_bank as shipped
from ujisim.question_bank import cues, lint, lint_flags, services
from ujisim.question_bank.content import DATA_DIR, ItemContent, Option, load_dir
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.lint import Gate, Rules
from ujisim.question_bank.models import BankVersion
from ujisim.question_bank.translation import Translation

RULES = Rules()
TOPICS = ("rambu", "marka", "apill", "kecepatan", "hak_utama", "kendaraan")
# twelve unrelated questions: nothing alike, options of equal length, keys at varied places
STEMS = [
    "Berapa batas kecepatan di jalan tol?", "Kapan lampu utama motor wajib menyala?",
    "Apa arti marka garis utuh?", "Siapa yang didahulukan di bundaran?",
    "Apa fungsi rambu peringatan?", "Di sisi mana kendaraan berjalan?",
    "Kapan sabuk keselamatan dipakai?", "Apa warna rambu perintah?",
    "Berapa lama SIM berlaku?", "Apa tugas pengemudi di zebra cross?",
    "Kapan boleh mendahului dari kiri?", "Apa isi kotak P3K kendaraan?",
]  # fmt: skip
#: sixteen words of five letters: options of equal length, each word in few options
WORDS = ["merah", "hijau", "putih", "hitam", "jeruk", "perak", "salju", "kabut",
         "angin", "hujan", "pasir", "bumbu", "garam", "kapal", "mobil", "becak"]  # fmt: skip
#: their English, also of five letters
WORDS_EN = ["ruddy", "green", "white", "black", "lemon", "steel", "snowy", "foggy",
            "windy", "rainy", "sandy", "spice", "salty", "ships", "autos", "carts"]  # fmt: skip


def clean_items(n: int = 12) -> list[ItemContent]:
    """``n`` cue-free items: options of equal length, each word in one option only."""
    items = []
    for i in range(n):
        texts = [f"Pilihan {WORDS[(i + k) % 16]} nomor {i:02d}{k}" for k in range(4)]
        english = tuple(f"Option {WORDS_EN[(i + k) % 16]} number {i:02d}{k}" for k in range(4))
        key = i % 4
        items.append(
            ItemContent(
                code=f"ZZ-{i + 1:03d}", classes=("A", "C"), category="pengetahuan",
                topic=TOPICS[i % len(TOPICS)], stem=STEMS[i % len(STEMS)],
                options=tuple(Option(t, k == key) for k, t in enumerate(texts)),
                explanation="Penjelasan.", legal_basis="UU 22/2009 Pasal 106", difficulty=1,
                practice=bool(i % 2),
                en=Translation(f"Question {i} in English?", english, "Explanation."),
            )
        )  # fmt: skip
    return items


def rules_of(flags) -> set[str]:
    return {f.rule for f in flags if f.severity == lint_flags.ERROR}


def with_key(item: ItemContent, text: str) -> ItemContent:
    return replace(item, options=tuple(replace(o, text=text) if o.key else o for o in item.options))


def test_clean_items_pass():
    assert rules_of(lint.lint_items(clean_items())) == set()


def test_keys_that_are_mostly_the_longest_are_refused():
    items = clean_items()
    planted = [with_key(i, i.options[0].text + "xxxx") if n < 5 else i for n, i in enumerate(items)]
    flags = [f for f in lint.lint_items(planted) if f.rule == "key_longest"]
    assert {f.params["cls"] for f in flags} == {"A", "C"}
    assert set(flags[0].codes) == {i.code for i in planted[:5]}
    assert "42% of 12 items (at most 35% allowed)" in flags[0].message()


def test_keys_never_the_shortest_are_refused():
    items = clean_items()
    # every key one character longer than its distractors: never the shortest
    planted = [with_key(i, next(o.text for o in i.options if o.key) + "x") for i in items]
    assert "key_shortest" in rules_of(lint.lint_items(planted))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Pilihan yang selalu dipakai 00", "absolute"),
        ("Tidak pernah boleh lewat sini", "absolute"),
        ("Semua jawaban di atas benar ya", "all_none"),
        ("Jawaban A dan B sama benarnya", "all_none"),
        ("Pendek", "length_ratio"),
    ],
)
def test_an_option_that_gives_itself_away_is_refused(text, rule):
    items = clean_items()
    items[3] = replace(items[3], options=(Option(text), *items[3].options[1:]))  # key: the 4th
    flags = lint.lint_items(items)
    assert rule in rules_of(flags)
    assert next(f for f in flags if f.rule == rule).codes == ("ZZ-004",)


def test_a_word_only_in_distractors_is_refused():
    items = clean_items()
    planted = [
        replace(i, options=tuple(o if o.key or k == 0 else replace(o, text=o.text + " asalkan")
                                 for k, o in enumerate(i.options)))
        if n < 6 else i
        for n, i in enumerate(items)
    ]  # fmt: skip
    cues = [f for f in lint.lint_items(planted) if f.rule == "word_cue"]
    assert {(f.params["word"], f.params["cls"]) for f in cues} >= {("asalkan", "A")}
    assert "all of them distractors" in cues[0].message()


def test_a_key_that_alone_repeats_the_stem_is_refused():
    items = clean_items()
    planted = [
        with_key(i, " ".join(cues.content_words(i.stem)) + " dahulu") if n < 6 else i
        for n, i in enumerate(items)
    ]
    assert "stem_overlap" in rules_of(lint.lint_items(planted))


def test_near_duplicates_must_share_an_enemy_group():
    items = clean_items()
    twin = replace(items[0], code="ZZ-101", stem=items[0].stem.replace("tol", "tol kota"))
    flags = lint.lint_items([*items, twin])
    near = [f for f in flags if f.rule == "near_duplicate"]
    assert {f.codes for f in near} == {("ZZ-001", "ZZ-101")}
    grouped = [replace(items[0], group="batas-tol"), *items[1:], replace(twin, group="batas-tol")]
    assert "near_duplicate" not in rules_of(lint.lint_items(grouped))


def test_the_official_picture_of_a_reserved_item_names_nothing():
    scene = next(i.media for i in shipped()[0] if i.category == "persepsi_bahaya")["scene"]
    item = replace(clean_items()[0], category="persepsi_bahaya", practice=False,
                   media={"scene": scene})  # fmt: skip
    assert [f for f in lint.lint_items([item]) if f.rule == "media_leak"] == []
    # a caption drawn into the picture that is an option's text gives the answer away
    cone = {"kind": "cone", "pos": 0.5, "x": 0, "label": "Rem kuat"}
    labelled = dict(scene, objects=[*scene.get("objects", []), cone])
    # the second option (not the last: every option is checked; the first is the key)
    options = (item.options[0], Option("Rem kuat"), *item.options[2:])
    leaky = replace(item, media={"scene": labelled}, options=options)
    leaks = [f for f in lint.lint_items([leaky]) if f.rule == "media_leak"]
    assert {f.params["cls"] for f in leaks} == {"A", "C"}
    assert "an option" in leaks[0].message()


def test_too_small_an_official_pool_is_refused():
    items = clean_items()
    flags = lint.pool_flags(items, {"A": {"pengetahuan": 2}}, RULES)
    assert [f.params for f in flags] == [
        {"cls": "A", "category": "pengetahuan", "have": 6, "need": 12, "count": 2}
    ]
    assert lint.pool_flags(items, {"A": {"pengetahuan": 1}}, RULES) == []


def test_the_shipped_bank_passes_the_gate_with_the_default_blueprint():
    items, problems = shipped()
    assert problems == ()
    found, _warnings = Gate(min_reserved=0.4, rules=RULES, pool_counts=lint.DEFAULT_COUNTS).check(
        items
    )
    assert [str(p) for p in found] == []


def test_the_shipped_reserved_items_are_marked_as_the_demo_set():
    items = shipped()[0]
    assert all(i.demo for i in items if not i.practice)


# -- the command and the publish paths -------------------------------------------------------


def test_flask_bank_lint_passes_the_shipped_bank(runner):
    result = runner.invoke(args=["bank", "lint", "--no-warnings"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """The shipped bank with one cue planted: the reserved keys of wawasan lengthened (written
    once for the module; the tests only read it)."""
    target = tmp_path_factory.mktemp("planted") / "bank"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    for path in target.glob("*.yaml"):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for item in document["items"]:
            if item["category"] == "wawasan":
                key = next(o for o in item["options"] if o.get("key"))
                key["text"] += " dengan tenang"
        text = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
    return target


def test_flask_bank_lint_refuses_a_planted_cue(runner, planted):
    result = runner.invoke(args=["bank", "lint", str(planted), "--no-warnings"])
    assert result.exit_code == 1
    assert "error: key_longest:" in result.output
    # the command speaks the examiner's language: Bahasa Indonesia by default
    assert "SIM A, Wawasan: kunci adalah pilihan terpanjang pada" in result.output


def test_an_import_with_a_planted_cue_publishes_nothing(runner, db, planted):
    result = runner.invoke(args=["bank", "import", str(planted)])
    assert result.exit_code == 1
    assert "key_longest" not in result.output  # the examiner reads messages, not rule names
    assert "SIM C, Wawasan: kunci adalah pilihan terpanjang pada" in result.output
    assert "nothing imported" in result.output
    assert db.scalars(select(BankVersion)).all() == []


def test_production_refuses_to_publish_the_demo_set(app, db):
    items = list(shipped()[0])
    app.config["UJISIM_ENV"] = "production"
    with pytest.raises(ContentError) as refused:
        services.import_contents(db, items, gate=Gate(refuse_demo=True))
    assert refused.value.problems[0].field == "demo"
    assert "termasuk set demo yang ikut kode sumber" in refused.value.message
    db.rollback()
    # without the demo items' reserved status (a real pool), the same code publishes
    real = [replace(i, demo=False) for i in items]
    assert services.import_contents(db, real, gate=Gate(refuse_demo=True)).published


# -- what examiners see ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_items(planted) -> list[ItemContent]:
    items, problems = load_dir(planted)
    assert problems == []
    return items


@pytest.fixture
def planted_active(db, planted_items):
    """The planted bank's items active (loaded without the gate), as examiners would find a
    bank whose items were approved one by one."""
    items = planted_items
    services.import_contents(db, items)
    db.commit()
    return items


def test_the_publish_page_lists_each_problem_and_publishes_nothing(db, reviewer, planted_active):
    page = reviewer.get("/examiner/bank/").get_data(as_text=True)
    assert "Problems that stop publishing (" in page
    assert "SIM A, Road conduct: the key is the longest option in" in page
    flagged = next(i for i in planted_active if i.category == "wawasan" and cues.key_is_longest(i))
    assert f'href="/examiner/items/{flagged.code}"' in page
    response = reviewer.submit("/examiner/bank/publish", {"expected": "1"})
    assert response.status_code == 422
    assert "The bank version was not published" in response.get_data(as_text=True)
    assert len(db.scalars(select(BankVersion)).all()) == 1


def test_the_item_page_shows_its_flags(reviewer, planted_active):
    flagged = next(i for i in planted_active if i.category == "wawasan" and cues.key_is_longest(i))
    page = reviewer.get(f"/examiner/items/{flagged.code}").get_data(as_text=True)
    assert "Publish checks" in page
    assert "the key is the longest option in" in page
    clean = next(i for i in planted_active if i.category == "pengetahuan" and not i.practice)
    page = reviewer.get(f"/examiner/items/{clean.code}").get_data(as_text=True)
    assert "the key is the longest option in" not in page


def test_examiners_set_an_enemy_group_on_the_item_form(author, db):
    from tests.question_bank.test_authoring import form

    refused = author.submit("/examiner/items/new", form(group="Batas Tol!"))
    assert refused.status_code == 422
    assert "Use lower-case letters, digits, - and _" in refused.get_data(as_text=True)
    assert services.get_item(db, "ZZ-100") is None
    assert author.submit("/examiner/items/new", form(group="isyarat-belok")).status_code == 302
    assert services.get_item(db, "ZZ-100").head.enemy_group == "isyarat-belok"
    page = author.get("/examiner/items/ZZ-100/edit").get_data(as_text=True)
    assert 'value="isyarat-belok"' in page
