"""QTI 3.0 exchange: the package's structure against the spec, byte-for-byte round trips through
the database, filtered exports, and bad packages that name their problem and import nothing.

No package on PyPI ships the official QTI 3.0 XSDs (see ujisim.question_bank.qti), so the
structure tests below check what the specification requires element by element."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from defusedxml import ElementTree as SafeET
from sqlalchemy import select

from tests.question_bank.conftest import shipped_bank
from ujisim.core.security import Role
from ujisim.question_bank import authoring_services, qti, qti_import, services
from ujisim.question_bank.content import ItemContent, is_clip
from ujisim.question_bank.media import render_media
from ujisim.question_bank.models import BankVersion, Item


@pytest.fixture
def app_config(tmp_path, database_url):
    """Most banks here are a few made-up items, far below the official pool size, which the
    publish gate's own tests (test_lint.py) cover."""
    from tests.conftest import _test_config

    return _test_config(tmp_path, database_url, BANK_LINT_RULES={"pool_multiple": 0})


Q = f"{{{qti.QTI_NS}}}"
CP = f"{{{qti.CP_NS}}}"
MD = f"{{{qti.QTIMD_NS}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    """A zip of exactly these members (names are not cleaned: tests need hostile ones)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bank() -> list[ItemContent]:
    items, problems = shipped_bank()
    assert problems == ()
    return list(items)


@functools.cache
def _bank_package() -> bytes:
    return qti.write_package(list(shipped_bank()[0]))


@pytest.fixture(scope="module")
def bank_package() -> bytes:
    """The whole shipped bank as a package (written once per worker: a pure function of it)."""
    return _bank_package()


@dataclass(frozen=True)
class Small:
    """A three-item package: one with a sign, one with a scene for A and C, one without media."""

    sign: str
    scene: str
    plain: str
    items: tuple[ItemContent, ...]

    def names(self) -> dict[str, str]:
        stem = next(i.stem for i in self.items if i.code == self.sign)
        return {"sign": self.sign, "scene": self.scene, "plain": self.plain, "stem": stem}


@pytest.fixture(scope="module")
def small(bank) -> Small:
    """Three items; the sign and the scene are reserved, so the package alone keeps the share
    of reserved items a bank needs (40 %) in each class."""
    sign = next(i for i in bank if i.media and "sign" in i.media and not i.practice)
    scene = next(
        i for i in bank if i.media and "scene" in i.media and len(i.classes) == 2 and not i.practice
    )
    plain = next(i for i in bank if not i.media and i.practice)
    return Small(sign.code, scene.code, plain.code, (sign, scene, plain))


@pytest.fixture
def small_files(small) -> dict[str, bytes]:
    return unzip(qti.write_package(small.items))


def import_package(runner, tmp_path, data: bytes):
    path = tmp_path / "package.zip"
    path.write_bytes(data)
    return runner.invoke(args=["bank", "import-qti", str(path)])


def by_language(element) -> dict[str, str]:
    """Language -> text of a text element of an item in two languages (one child each)."""
    return {child.get(XML_LANG): child.text for child in element}


def manifest_codes(data: bytes) -> set[str]:
    manifest = SafeET.fromstring(unzip(data)[qti.MANIFEST])
    return {
        r.get("identifier")
        for r in manifest.iter(f"{CP}resource")
        if r.get("type") == qti.ITEM_TYPE
    }


# -- the package's structure -------------------------------------------------------------------


def test_export_is_deterministic(bank, bank_package):
    assert qti.write_package(list(reversed(bank))) == bank_package
    with zipfile.ZipFile(io.BytesIO(bank_package)) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names[0] == "imsmanifest.xml"
    assert {i.date_time for i in infos} == {qti.ZIP_TIME}
    assert len([n for n in names if n.startswith("items/")]) == len(bank)


def test_manifest_follows_content_packaging(bank, bank_package):
    files = unzip(bank_package)
    clips = {f"items/{c.code}.xml" for c in bank if is_clip(c.media)}
    manifest = SafeET.fromstring(files[qti.MANIFEST])
    assert manifest.tag == f"{CP}manifest"
    assert manifest.get("identifier")
    assert qti.CP_NS in manifest.get(XSI_LOCATION)
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "QTI Package"
    assert manifest.findtext(f"{CP}metadata/{CP}schemaversion") == "3.0.0"
    assert manifest.find(f"{CP}organizations") is not None
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    ids = [r.get("identifier") for r in resources]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in ids)  # xs:ID
    listed: list[str] = []
    for resource in resources:
        assert resource.get("type") in (qti.ITEM_TYPE, qti.MEDIA_TYPE)
        hrefs = [f.get("href") for f in resource.findall(f"{CP}file")]
        assert resource.get("href") in hrefs
        listed += hrefs
        for dependency in resource.findall(f"{CP}dependency"):
            assert dependency.get("identifierref") in ids
        if resource.get("type") == qti.ITEM_TYPE:
            md = resource.find(f"{CP}metadata/{MD}qtiMetadata")
            clip = resource.get("href") in clips
            interaction = "customInteraction" if clip else "choiceInteraction"
            assert md.findtext(f"{MD}interactionType") == interaction
            ours = resource.find(f"{CP}metadata/{{{qti.EXT_NS}}}item")
            assert ours.findtext(f"{{{qti.EXT_NS}}}category")
    # every member but the manifest is listed by exactly one resource, and nothing else is listed
    assert sorted(listed) == sorted(n for n in files if n != qti.MANIFEST)


def test_every_item_is_a_qti3_choice_item(bank, bank_package):
    """Every question (a clip is a custom interaction: the next test)."""
    files = unzip(bank_package)
    by_code = {c.code: c for c in bank if not is_clip(c.media)}
    manifest = SafeET.fromstring(files[qti.MANIFEST])
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    for code, content in by_code.items():
        path = f"items/{code}.xml"
        root = SafeET.fromstring(files[path])
        assert root.tag == f"{Q}qti-assessment-item"
        assert all(e.tag.startswith(Q) for e in root.iter())  # plain QTI: no foreign elements
        assert (root.get("identifier"), root.get(XML_LANG)) == (code, "id")
        assert root.get("title")
        assert root.get("time-dependent") == "false"
        assert root.get(XSI_LOCATION).split() == [qti.QTI_NS, qti.QTI_XSD]
        children = [c.tag.removeprefix(Q) for c in root]
        assert children == [
            "qti-response-declaration",
            "qti-outcome-declaration",
            "qti-item-body",
            "qti-response-processing",
        ]  # the order the ASI schema's sequence prescribes
        response = root.find(f"{Q}qti-response-declaration")
        assert (response.get("identifier"), response.get("cardinality")) == ("RESPONSE", "single")
        assert response.get("base-type") == "identifier"
        outcome = root.find(f"{Q}qti-outcome-declaration")
        assert (outcome.get("identifier"), outcome.get("cardinality")) == ("SCORE", "single")
        assert outcome.get("base-type") == "float"
        assert root.find(f"{Q}qti-response-processing").get("template") == qti.MATCH_CORRECT
        interaction = root.find(f"{Q}qti-item-body/{Q}qti-choice-interaction")
        assert interaction.get("response-identifier") == "RESPONSE"
        assert (interaction.get("max-choices"), interaction.get("shuffle")) == ("1", "true")
        # the item in both languages, each text marked with its xml:lang
        prompt = interaction.find(f"{Q}qti-prompt")
        assert by_language(prompt) == {"id": content.stem, "en": content.en.stem}
        choices = interaction.findall(f"{Q}qti-simple-choice")
        assert [by_language(c) for c in choices] == [
            {"id": o.text, "en": en}
            for o, en in zip(content.options, content.en.options, strict=True)
        ]
        key = response.findtext(f"{Q}qti-correct-response/{Q}qti-value")
        assert [c.get("identifier") == key for c in choices] == [o.key for o in content.options]
        rubric = root.find(f"{Q}qti-item-body/{Q}qti-rubric-block")
        assert rubric.get("view")
        assert "candidate" not in rubric.get("view").split()
        body = rubric.find(f"{Q}qti-content-body")
        assert by_language(body) == {"id": content.explanation, "en": content.en.explanation}
        images = list(root.iter(f"{Q}img"))
        wanted = qti.media_files(content)
        assert [i.get("src") for i in images] == [f"../{p}" for p in wanted]
        depends = {d.get("identifierref") for d in resources[code].findall(f"{CP}dependency")}
        for image, (target, cls) in zip(images, wanted.items(), strict=True):
            assert image.get("alt")
            assert files[target] == render_media(content.media, cls).encode()
            owner = next(r for r in resources.values() if r.get("href") == target)
            assert owner.get("identifier") in depends
        if content.media and "scene" in content.media:
            assert len(images) == len(content.classes)


def test_a_clip_is_a_custom_interaction_with_its_first_frame_as_fallback(bank, bank_package):
    """Issue 21, point 1: a clip exports as a qti-custom-interaction whose response is the
    clicks and whose fallback is its first frame per class; its spec with the windows travels in
    our metadata, and the package reads back to the same clip."""
    files = unzip(bank_package)
    clips = [c for c in bank if is_clip(c.media)]
    assert clips
    for content in clips:
        root = SafeET.fromstring(files[f"items/{content.code}.xml"])
        assert root.get("time-dependent") == "true"
        assert [c.tag.removeprefix(Q) for c in root] == [
            "qti-response-declaration", "qti-outcome-declaration", "qti-item-body"]  # fmt: skip
        response = root.find(f"{Q}qti-response-declaration")
        assert (response.get("cardinality"), response.get("base-type")) == ("ordered", "float")
        assert response.find(f"{Q}qti-correct-response") is None  # scored by windows, not a key
        interaction = root.find(f"{Q}qti-item-body/{Q}qti-custom-interaction")
        assert interaction.get("class") == qti.CLIP_CLASS
        assert root.find(f".//{Q}qti-choice-interaction") is None
        assert by_language(interaction.find(f"{Q}qti-prompt")) == {
            "id": content.stem, "en": content.en.stem}  # fmt: skip
        images = [i.get("src") for i in interaction.iter(f"{Q}img")]
        assert images == [f"../media/clip-{content.code}-{c}.svg" for c in content.classes]
        for cls in content.classes:
            svg = files[f"media/clip-{content.code}-{cls}.svg"]
            assert svg == render_media(content.media, cls).encode()
    back = {c.code: c for c in qti_import.read_package(bank_package)[0]}
    assert all(back[c.code] == c for c in clips)


def test_documents_keep_their_fixed_prefixes_and_layout(small, small_files):
    """Other tools read these files as text too: the default namespace carries no prefix, the
    others keep theirs (no invented ns0), and each element sits on its own indented line."""
    manifest = small_files[qti.MANIFEST].decode()
    assert manifest.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest xmlns="{qti.CP_NS}" xmlns:imsqti="{qti.QTIMD_NS}" '
        f'xmlns:ujisim="{qti.EXT_NS}" xmlns:xsi="{qti.XSI_NS}" identifier="ujisim-bank-'
    )
    assert "\n  <metadata>\n    <schema>QTI Package</schema>\n" in manifest
    assert "\n        <imsqti:qtiMetadata>\n" in manifest
    assert "\n        <ujisim:item>\n          <ujisim:classes>" in manifest
    assert "\n  <organizations/>\n" in manifest
    item = small_files[f"items/{small.plain}.xml"].decode()
    assert item.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<qti-assessment-item xmlns="{qti.QTI_NS}" xmlns:xsi="{qti.XSI_NS}" '
        f'identifier="{small.plain}" title="{small.plain}" adaptive="false" '
        'time-dependent="false" xml:lang="id" xsi:schemaLocation="'
    )
    assert "\n      <qti-value>0</qti-value>\n" in item
    assert item.endswith(
        f'\n  <qti-response-processing template="{qti.MATCH_CORRECT}"/>\n</qti-assessment-item>\n'
    )
    assert not re.search(r"\bns\d+:", manifest + item)


def test_markup_characters_in_text_round_trip(small):
    tricky = "Rambu \"<STOP>\" & marka 'A' > garis?"
    plain = next(i for i in small.items if i.code == small.plain)
    options = tuple(
        dataclasses.replace(o, text=f'{o.text} <{n}> & "{n}"') for n, o in enumerate(plain.options)
    )
    changed = dataclasses.replace(
        plain, stem=tricky, options=options, explanation="Lihat <b>garis</b> & marka."
    )
    item = qti.item_xml(changed).decode()
    assert "Rambu &quot;&lt;STOP&gt;&quot;" not in item  # quotes stay plain in text
    assert "Rambu \"&lt;STOP&gt;\" &amp; marka 'A' &gt; garis?" in item
    items, problems = qti_import.read_package(qti.write_package([changed]))
    assert problems == []
    assert items == [changed]


# -- round trips -------------------------------------------------------------------------------


def test_reading_our_package_gives_the_same_items(bank, bank_package):
    items, problems = qti_import.read_package(bank_package)
    assert problems == []
    assert sorted(items, key=lambda c: c.code) == sorted(bank, key=lambda c: c.code)


def test_whole_bank_round_trips_through_the_database(bank, bank_package, runner, db, tmp_path):
    result = import_package(runner, tmp_path, bank_package)
    assert result.exit_code == 0, result.output
    assert f"{len(bank)} new, 0 updated" in result.output
    assert "published bank version 1" in result.output
    stored = [services.content_of(v) for v in services.active_versions(db)]
    assert {c.code: c for c in stored} == {c.code: c for c in bank}
    again = tmp_path / "again.zip"
    result = runner.invoke(args=["bank", "export-qti", str(again)])
    assert result.exit_code == 0, result.output
    assert f"exported {len(bank)} items" in result.output
    assert again.read_bytes() == bank_package
    # importing the same package again changes nothing
    result = import_package(runner, tmp_path, bank_package)
    assert f"{len(bank)} unchanged" in result.output
    assert "still bank version 1" in result.output


@pytest.fixture
def imported(db, bank):
    services.import_contents(db, bank)
    db.commit()


FILTERS = [
    (["--class", "C", "--topic", "rambu"], lambda c: "C" in c.classes and c.topic == "rambu"),
    (["--class", "A"], lambda c: "A" in c.classes),
    (["--category", "persepsi_bahaya"], lambda c: c.category == "persepsi_bahaya"),
    (
        ["--class", "A", "--topic", "kecepatan", "--category", "pengetahuan"],
        lambda c: "A" in c.classes and c.topic == "kecepatan" and c.category == "pengetahuan",
    ),
]


@pytest.mark.parametrize(("args", "wanted"), FILTERS, ids=["C-rambu", "A", "hazard", "A-3"])
@pytest.mark.usefixtures("imported")
def test_filtered_export_holds_exactly_the_matching_items(bank, runner, tmp_path, args, wanted):
    out = tmp_path / "filtered.zip"
    result = runner.invoke(args=["bank", "export-qti", str(out), *args])
    assert result.exit_code == 0, result.output
    expected = {c.code for c in bank if wanted(c)}
    assert expected
    assert len(expected) < len(bank)
    data = out.read_bytes()
    assert manifest_codes(data) == expected
    items, problems = qti_import.read_package(data)
    assert problems == []
    assert {c.code for c in items} == expected
    assert data == qti.write_package(c for c in bank if wanted(c))


@pytest.mark.usefixtures("imported")
def test_export_holds_only_active_items(db, bank, runner, tmp_path, make_user):
    examiner = make_user(Role.EXAMINER)
    retired = services.get_item(db, bank[0].code)
    authoring_services.retire(db, retired, actor=examiner)
    draft = dataclasses.replace(bank[1], code="ZZ-999", stem="Soal yang masih draf?")
    authoring_services.create_item(db, draft, author=examiner)
    db.commit()
    out = tmp_path / "active.zip"
    assert runner.invoke(args=["bank", "export-qti", str(out)]).exit_code == 0
    assert manifest_codes(out.read_bytes()) == {c.code for c in bank} - {bank[0].code}


def test_export_with_nothing_to_export_fails(runner, tmp_path):
    out = tmp_path / "empty.zip"
    result = runner.invoke(args=["bank", "export-qti", str(out), "--class", "A"])
    assert result.exit_code == 1
    assert "no active items match" in result.output
    assert not out.exists()


# -- bad packages ------------------------------------------------------------------------------

Mutation = Callable[[dict[str, bytes], Small], None]


def edit(path: str, pattern: str, replacement: str, flags: int = 0) -> Mutation:
    """Replace ``pattern`` (a regex; {sign}, {scene}, {plain} are filled in) in one member."""

    def apply(files: dict[str, bytes], small: Small) -> None:
        names = small.names()
        name = path.format(**names)
        text = files[name].decode()
        new, count = re.subn(pattern.format(**names), replacement.format(**names), text,
                             count=1, flags=flags)  # fmt: skip
        assert count == 1, f"{pattern} not in {name}"
        files[name] = new.encode()

    return apply


def delete(path: str) -> Mutation:
    def apply(files: dict[str, bytes], small: Small) -> None:
        del files[path.format(**small.names())]

    return apply


def meta(field: str, value: str) -> Mutation:
    """Change one field of the plain item's ujisim metadata in the manifest."""
    pattern = (
        r'(<resource identifier="{plain}"[\s\S]*?<ujisim:'
        + field
        + r">)[^<]*(</ujisim:"
        + field
        + ">)"
    )
    return edit("imsmanifest.xml", pattern, r"\g<1>" + value + r"\g<2>")


PLAIN = "items/{plain}.xml"
SIGN = "items/{sign}.xml"
BAD = {
    "missing manifest": (
        delete("imsmanifest.xml"),
        "(package): manifest: imsmanifest.xml is missing",
    ),
    "manifest references a missing item": (
        delete(PLAIN),
        "imsmanifest.xml: file: resource {plain} references a missing file 'items/{plain}.xml'",
    ),
    "manifest references a missing image": (
        delete("media/scene-{scene}-C.svg"),
        "references a missing file 'media/scene-{scene}-C.svg'",
    ),
    "unknown dependency": (
        edit("imsmanifest.xml", r'identifierref="MEDIA-sign-', 'identifierref="MEDIA-tanda-'),
        "depends on unknown resource 'MEDIA-tanda-",
    ),
    "item resource without href": (
        edit("imsmanifest.xml", r' href="items/{plain}.xml">', ">"),
        "imsmanifest.xml: resource: item resource {plain} has no href",
    ),
    "manifest without items": (
        lambda files, _small: files.update(
            {"imsmanifest.xml": files["imsmanifest.xml"].replace(b"imsqti_item_", b"imsqti_x_")}
        ),
        "imsmanifest.xml: manifest: no resources of type imsqti_item_xmlv3p0",
    ),
    "duplicate resource identifiers": (
        edit("imsmanifest.xml", r'identifier="{plain}" type', 'identifier="{sign}" type'),
        "imsmanifest.xml: resource: duplicate identifier '{sign}'",
    ),
    "manifest not well-formed": (
        edit("imsmanifest.xml", r"<organizations/>", "<organizations/ <"),
        "imsmanifest.xml:7: xml: not well-formed XML",
    ),
    "manifest in the wrong namespace": (
        edit("imsmanifest.xml", re.escape(qti.CP_NS), "http://example.org/cp"),
        "imsmanifest.xml: manifest: the root must be",
    ),
    "item not well-formed": (
        edit(PLAIN, r"</qti-prompt>", "</qti-promt>"),
        "items/{plain}.xml:18: xml: not well-formed XML: mismatched tag",
    ),
    "item with a DTD entity bomb": (
        edit(PLAIN, r"\?>\n", '?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>\n'),
        "items/{plain}.xml: xml: refused: DTDForbidden",
    ),
    "item in the QTI 2.1 namespace": (
        edit(PLAIN, re.escape(qti.QTI_NS), "http://www.imsglobal.org/xsd/imsqti_v2p1"),
        "items/{plain}.xml: xml: wrong namespace http://www.imsglobal.org/xsd/imsqti_v2p1",
    ),
    "no correct response": (
        edit(PLAIN, r"<qti-correct-response>[\s\S]*?</qti-correct-response>", ""),
        "items/{plain}.xml: qti-correct-response: [{plain}] no correct response for 'RESPONSE'",
    ),
    "correct response not among the choices": (
        edit(PLAIN, r"<qti-value>[A-D]</qti-value>", "<qti-value>Z</qti-value>"),
        "the correct response 'Z' is not among the choices (A, B, C",
    ),
    "two correct responses": (
        edit(PLAIN, r"(<qti-value>[A-D]</qti-value>)", r"\1<qti-value>A</qti-value>"),
        "more than one correct response",
    ),
    "duplicate item identifiers": (
        edit(PLAIN, r'identifier="{plain}"', 'identifier="{sign}"'),
        "identifier: [{sign}] duplicate identifier (also in",
    ),
    "duplicate choice identifiers": (
        edit(PLAIN, r'<qti-simple-choice identifier="B"', '<qti-simple-choice identifier="A"'),
        "qti-simple-choice: [{plain}] duplicate choice identifiers",
    ),
    "multiple choice": (
        edit(PLAIN, r'max-choices="1"', 'max-choices="2"'),
        "max-choices must be 1",
    ),
    "another response processing": (
        edit(PLAIN, re.escape(qti.MATCH_CORRECT), "https://example.org/rp.xml"),
        "qti-response-processing: [{plain}] must use the template",
    ),
    "image not in the package": (
        edit(SIGN, r'src="[^"]+"', 'src="../media/tidak-ada.svg"'),
        "items/{sign}.xml: img: [{sign}] image '../media/tidak-ada.svg' is not in the package",
    ),
    "image outside the package": (
        edit(SIGN, r'src="[^"]+"', 'src="../../etc/passwd"'),
        "image '../../etc/passwd' is not in the package",
    ),
    "no ujisim metadata": (
        edit(
            "imsmanifest.xml",
            r'(identifier="{plain}"[\s\S]*?)<ujisim:item>[\s\S]*?</ujisim:item>',
            r"\1",
        ),  # fmt: skip
        "imsmanifest.xml: metadata: [{plain}] no ujisim:item metadata",
    ),
    # the checks of content.check_content, each reported against the file that holds the field
    "bad code": (
        edit(PLAIN, r'identifier="{plain}"', 'identifier="soal-1"'),
        "items/{plain}.xml: code: [soal-1] code must look like RB-001",
    ),
    "bad difficulty": (
        meta("difficulty", "7"),
        "imsmanifest.xml: difficulty: [{plain}] difficulty must be 1, 2 or 3",
    ),
    "practice neither true nor false": (
        meta("practice", "ya"),
        "imsmanifest.xml: practice: [{plain}] practice must be true",
    ),
    "bad classes": (meta("classes", "A B"), "imsmanifest.xml: classes: [{plain}] classes must be"),
    "unknown topic": (meta("topic", "terbang"), "topic: [{plain}] unknown topic 'terbang'"),
    "unknown category": (meta("category", "lain"), "category: [{plain}] category must be one of"),
    "no legal basis": (meta("legal-basis", ""), "legal_basis: [{plain}] legal_basis is required"),
    "unknown sign": (
        edit("imsmanifest.xml", r'"sign": "[^"]+"', '"sign": "tidak_ada"'),
        "imsmanifest.xml: media.sign: [{sign}] unknown sign 'tidak_ada'",
    ),
    "media that is not JSON": (
        edit("imsmanifest.xml", r'<ujisim:media>\{{"sign"', "<ujisim:media>{{sign"),
        "imsmanifest.xml: media: [{sign}] the media spec is not valid JSON",
    ),
    "empty stem": (
        edit(PLAIN, r'(<qti-prompt>\s*<span xml:lang="id">)[^<]*', r"\1"),
        "items/{plain}.xml: stem: [{plain}] stem is required",
    ),
    "empty English stem": (
        edit(PLAIN, r'(<qti-prompt>[\s\S]*?<span xml:lang="en">)[^<]*', r"\1"),
        "items/{plain}.xml: en.stem: [{plain}] stem is required",
    ),
    "two options with the same text": (
        edit(
            PLAIN,
            r'(<qti-simple-choice identifier="A">\s*<span xml:lang="id">)([^<]*)(</span>[\s\S]*?'
            r'<qti-simple-choice identifier="B">\s*<span xml:lang="id">)[^<]*',
            r"\1\2\3\2",
        ),  # fmt: skip
        "options: [{plain}] two options have the same text",
    ),
    "two English options with the same text": (
        edit(
            PLAIN,
            r'(<qti-simple-choice identifier="A">[\s\S]*?<span xml:lang="en">)([^<]*)'
            r'(</span>[\s\S]*?<qti-simple-choice identifier="B">[\s\S]*?<span xml:lang="en">)[^<]*',
            r"\1\2\3\2",
        ),  # fmt: skip
        "en.options: [{plain}] two options have the same text",
    ),
    "same stem as another item": (
        edit(PLAIN, r'(<qti-prompt>\s*<span xml:lang="id">)[^<]*', r"\g<1>{stem}"),
        "items/{sign}.xml: stem: [{sign}] same stem as {plain}",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_package_names_the_problem_and_imports_nothing(
    case, small, small_files, runner, db, tmp_path
):
    mutate, expected = BAD[case]
    mutate(small_files, small)
    data = rezip(small_files)
    items, problems = qti_import.read_package(data)
    assert items == []
    result = import_package(runner, tmp_path, data)
    assert result.exit_code == 1
    wanted = expected.format(**small.names())
    assert result.output.count(wanted) == 1, result.output
    assert "nothing imported" in result.output
    assert db.scalars(select(Item)).all() == []
    assert db.scalars(select(BankVersion)).all() == []


def test_a_good_small_package_imports(small, small_files, runner, db, tmp_path):
    result = import_package(runner, tmp_path, rezip(small_files))
    assert result.exit_code == 0, result.output
    assert {i.code for i in db.scalars(select(Item))} == {small.sign, small.scene, small.plain}


def test_a_package_that_leaves_too_few_items_reserved_imports_nothing(
    small, small_files, runner, db, tmp_path
):
    files = dict(small_files)
    manifest = files[qti.MANIFEST]
    files[qti.MANIFEST] = manifest.replace(b"<ujisim:practice>false<", b"<ujisim:practice>true<")
    assert files[qti.MANIFEST] != manifest
    result = import_package(runner, tmp_path, rezip(files))
    assert result.exit_code == 1
    assert "yang khusus ujian resmi; paling sedikit 40% harus khusus ujian" in result.output
    assert "nothing imported" in result.output
    assert db.scalars(select(Item)).all() == []


def test_not_a_zip_imports_nothing(runner, db, tmp_path):
    result = import_package(runner, tmp_path, b"<manifest/> is not a zip")
    assert result.exit_code == 1
    assert "(package): package: not a zip file" in result.output
    assert db.scalars(select(Item)).all() == []


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "items/../../evil.txt", "/etc/evil.txt", "..\\evil.txt", "C:/evil.txt"],
)
def test_zip_slip_is_refused(name, small_files, runner, db, tmp_path):
    small_files[name] = b"owned"
    result = import_package(runner, tmp_path, rezip(small_files))
    assert result.exit_code == 1
    assert f"{name}: package: unsafe file name" in result.output
    assert "nothing imported" in result.output
    assert db.scalars(select(Item)).all() == []
    assert not (tmp_path.parent / "evil.txt").exists()


def test_duplicate_member_names_are_refused(small, small_files, runner, db, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in small_files.items():
            archive.writestr(name, blob)
        with pytest.warns(UserWarning, match="Duplicate"):
            archive.writestr(f"items/{small.plain}.xml", b"<other/>")
    result = import_package(runner, tmp_path, buffer.getvalue())
    assert result.exit_code == 1
    assert f"items/{small.plain}.xml: package: the name appears twice" in result.output
    assert db.scalars(select(Item)).all() == []


def test_package_that_unpacks_too_large_is_refused(small_files, runner, db, tmp_path):
    small_files["media/bom.bin"] = bytes(qti_import.MAX_TOTAL_BYTES)  # compresses to ~64 KiB
    data = rezip(small_files)
    assert len(data) < 1024 * 1024
    result = import_package(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "the files unpack to more than" in result.output
    assert db.scalars(select(Item)).all() == []


def test_package_with_too_many_files_is_refused(small_files, runner, db, tmp_path):
    for n in range(qti_import.MAX_MEMBERS):
        small_files[f"media/x{n}.txt"] = b""
    result = import_package(runner, tmp_path, rezip(small_files))
    assert result.exit_code == 1
    assert "too many files" in result.output
    assert db.scalars(select(Item)).all() == []


def test_a_header_that_lies_about_the_size_cannot_inflate_more():
    data = bytearray(rezip({"imsmanifest.xml": bytes(100_000)}))
    # Claim 10 bytes in the local header and the central directory; the data holds 100,000.
    struct.pack_into("<I", data, 22, 10)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    items, problems = qti_import.read_package(bytes(data))
    assert items == []
    assert [p.field for p in problems] == ["package"]
    assert problems[0].file == "imsmanifest.xml"
    assert "cannot be read" in problems[0].message
