"""QTI 3.0 exchange: item content to a 1EdTech QTI 3.0 content package and back.

Pure functions over plain data (``content.ItemContent`` in, zip bytes out, and back); the CLI
(``flask bank export-qti`` / ``import-qti``) does the database work.

Package layout (entries sorted by name, fixed timestamps, so the same items give the same bytes)::

    imsmanifest.xml                 IMS Content Packaging (QTI 3.0 profile)
    items/<CODE>.xml                one qti-assessment-item per item
    media/sign-<SIGN_ID>.svg        a sign, shared by every item that shows it
    media/scene-<CODE>-<A|C>.svg    a scene as a candidate of that class sees it

Mapping of an item:

* ``qti-assessment-item identifier`` = item code, ``xml:lang="id"``.
* stem -> ``qti-prompt`` of the one ``qti-choice-interaction`` (max-choices 1, shuffle true);
  options -> ``qti-simple-choice`` A, B, C, D in authoring order; the key -> the
  ``qti-correct-response`` of ``RESPONSE``; ``SCORE`` outcome; response processing by the
  ``match_correct`` template.
* explanation -> ``qti-rubric-block use="scoring" view="scorer tutor"`` (shown to scorers and
  tutors, never to candidates), at the end of the item body.
* media -> ``<img>`` in the item body pointing at the SVG files (one per class for scenes).
* What QTI has no field for (classes, category, topic, difficulty, practice (``false``: reserved
  for official exams), the enemy group, the demo-set mark, legal basis and the media spec as
  JSON, so an import restores it exactly instead of guessing from the SVG) goes into the
  manifest, in each item resource's
  ``<metadata>`` as a ``ujisim:item`` element in our own namespace ``EXT_NS``, next to the
  standard ``imsqti:qtiMetadata``. Items stay plain QTI.

Import (``read_package``) refuses the whole package when anything is wrong and returns every
problem with the file it is in: not a zip, too large or too many members (zip bombs), unsafe
member names (``..``, absolute paths), a missing manifest or referenced file, XML that is not
well-formed or uses DTDs/entities (parsed with defusedxml), wrong namespaces, a missing or
unknown correct response, duplicate identifiers and stems, and every check of
``content.check_content``.

XSD validation: no package on PyPI ships the 1EdTech QTI 3.0 XSDs (``imsqti_asiv3p0_v1p0.xsd``
and the content-packaging profile); the QTI packages there (citolab-qti-convert 0.2.0,
incept-qti-sdk 0.6.2, qti-package-maker 26.7.14) were checked and hold no ``.xsd``, and this
environment cannot fetch the schemas from 1EdTech. So the tests check structure (namespaces,
required elements and attributes, the template URL, resources and dependencies) against what
the specification requires, and no hand-made XSD stands in for the official one.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from urllib.parse import unquote
from xml.etree import ElementTree as ET  # noqa: S405 -- types only; parsing is defused

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from lxml import etree  # building only; every package read goes through defusedxml

from ujisim.question_bank.content import ItemContent, Problem, check_content, normalise_stem
from ujisim.question_bank.media import render_media

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
CP_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
QTIMD_NS = "http://www.imsglobal.org/xsd/imsqti_metadata_v3p0"
QTIMD_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_metadatav3p0_v1p0.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: our extension namespace for the fields QTI has no place for
EXT_NS = "urn:ujisim:xsd:qti-extension:v1"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
ITEM_TYPE = "imsqti_item_xmlv3p0"
MEDIA_TYPE = "webcontent"
MANIFEST = "imsmanifest.xml"
PACKAGE = "(package)"
CHOICE_IDS = "ABCD"
#: fields of the ujisim:item metadata; their problems are reported against the manifest
META_FIELDS = (
    "classes", "category", "topic", "difficulty", "practice", "legal_basis", "media", "group",
    "demo",
)  # fmt: skip

#: import limits: a bank of a few thousand items stays far below them
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: prefix (None = the default namespace) -> namespace of each kind of document we write; lxml
#: keeps them as given (ElementTree would invent ns0, ns1, ...)
ITEM_NSMAP = {None: QTI_NS, "xsi": XSI_NS}
MANIFEST_NSMAP = {None: CP_NS, "imsqti": QTIMD_NS, "ujisim": EXT_NS, "xsi": XSI_NS}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    # Python names stand for XML ones: base_type -> base-type, class_ -> class.
    names = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    element = etree.SubElement(parent, tag, names)
    if text:  # an empty text stays an empty element (<a/>, not <a></a>)
        element.text = text
    return element


def _xml(root: etree._Element) -> bytes:
    """The document, indented by two spaces. The declaration is written out in the form these
    packages always had (lxml's own uses single quotes), so an export keeps its bytes."""
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


# -- export ------------------------------------------------------------------------------------


def media_files(content: ItemContent) -> dict[str, str]:
    """Package path -> class to render with, for the item's media (empty without media)."""
    if not content.media:
        return {}
    if "sign" in content.media:
        return {f"media/sign-{content.media['sign']}.svg": content.classes[0]}
    return {f"media/scene-{content.code}-{c}.svg": c for c in content.classes}


def _resource_id(path: str) -> str:
    return "MEDIA-" + posixpath.splitext(posixpath.basename(path))[0]


def item_xml(content: ItemContent) -> bytes:
    """The qti-assessment-item of one item."""
    root = etree.Element(_q("qti-assessment-item"), nsmap=ITEM_NSMAP)
    for name, value in (("identifier", content.code), ("title", content.code),
                        ("adaptive", "false"), ("time-dependent", "false")):  # fmt: skip
        root.set(name, value)
    root.set(f"{{{XML_NS}}}lang", "id")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    key = CHOICE_IDS[next(i for i, o in enumerate(content.options) if o.key)]
    declaration = _sub(root, _q("qti-response-declaration"), identifier="RESPONSE",
                       cardinality="single", base_type="identifier")  # fmt: skip
    _sub(_sub(declaration, _q("qti-correct-response")), _q("qti-value"), key)
    outcome = _sub(root, _q("qti-outcome-declaration"), identifier="SCORE", cardinality="single",
                   base_type="float")  # fmt: skip
    _sub(_sub(outcome, _q("qti-default-value")), _q("qti-value"), "0")
    body = _sub(root, _q("qti-item-body"))
    images = media_files(content)
    if images:
        figure = _sub(body, _q("div"), class_="ujisim-media")
        for path, cls in images.items():
            alt = "Gambar rambu" if "sign" in content.media else f"Situasi lalu lintas (SIM {cls})"
            _sub(figure, _q("img"), src=f"../{path}", alt=alt, class_=f"ujisim-class-{cls}")
    interaction = _sub(body, _q("qti-choice-interaction"), response_identifier="RESPONSE",
                       max_choices="1", shuffle="true")  # fmt: skip
    _sub(interaction, _q("qti-prompt"), content.stem)
    for identifier, option in zip(CHOICE_IDS, content.options, strict=False):
        _sub(interaction, _q("qti-simple-choice"), option.text, identifier=identifier)
    rubric = _sub(body, _q("qti-rubric-block"), use="scoring", view="scorer tutor")
    _sub(_sub(rubric, _q("qti-content-body")), _q("p"), content.explanation)
    _sub(root, _q("qti-response-processing"), template=MATCH_CORRECT)
    return _xml(root)


def _item_metadata(resource: etree._Element, content: ItemContent) -> None:
    metadata = _sub(resource, _cp("metadata"))
    qti = _sub(metadata, f"{{{QTIMD_NS}}}qtiMetadata")
    _sub(qti, f"{{{QTIMD_NS}}}timeDependent", "false")
    _sub(qti, f"{{{QTIMD_NS}}}interactionType", "choiceInteraction")
    _sub(qti, f"{{{QTIMD_NS}}}toolName", "ujisim")
    ours = _sub(metadata, f"{{{EXT_NS}}}item")
    _sub(ours, f"{{{EXT_NS}}}classes", " ".join(content.classes))
    _sub(ours, f"{{{EXT_NS}}}category", content.category)
    _sub(ours, f"{{{EXT_NS}}}topic", content.topic)
    _sub(ours, f"{{{EXT_NS}}}difficulty", str(content.difficulty))
    _sub(ours, f"{{{EXT_NS}}}practice", "true" if content.practice else "false")
    if content.group:
        _sub(ours, f"{{{EXT_NS}}}group", content.group)
    if content.demo:
        _sub(ours, f"{{{EXT_NS}}}demo", "true")
    _sub(ours, f"{{{EXT_NS}}}legal-basis", content.legal_basis)
    if content.media:
        media = json.dumps(content.media, ensure_ascii=False, sort_keys=True)
        _sub(ours, f"{{{EXT_NS}}}media", media)


def manifest_xml(contents: list[ItemContent]) -> bytes:
    """The imsmanifest.xml: one item resource per item, one webcontent resource per SVG."""
    digest = hashlib.sha256("\n".join(c.content_hash for c in contents).encode()).hexdigest()
    root = etree.Element(_cp("manifest"), nsmap=MANIFEST_NSMAP)
    root.set("identifier", f"ujisim-bank-{digest[:16]}")
    locations = f"{CP_NS} {CP_XSD} {QTIMD_NS} {QTIMD_XSD}"
    root.set(f"{{{XSI_NS}}}schemaLocation", locations)
    metadata = _sub(root, _cp("metadata"))
    _sub(metadata, _cp("schema"), "QTI Package")
    _sub(metadata, _cp("schemaversion"), "3.0.0")
    _sub(root, _cp("organizations"))
    resources = _sub(root, _cp("resources"))
    media: set[str] = set()
    for content in contents:
        href = f"items/{content.code}.xml"
        resource = _sub(resources, _cp("resource"), identifier=content.code, type=ITEM_TYPE,
                        href=href)  # fmt: skip
        _item_metadata(resource, content)
        _sub(resource, _cp("file"), href=href)
        for path in media_files(content):
            _sub(resource, _cp("dependency"), identifierref=_resource_id(path))
            media.add(path)
    for path in sorted(media):
        resource = _sub(resources, _cp("resource"), identifier=_resource_id(path), type=MEDIA_TYPE,
                        href=path)  # fmt: skip
        _sub(resource, _cp("file"), href=path)
    return _xml(root)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_package(contents: Iterable[ItemContent]) -> bytes:
    """A QTI 3.0 content package (zip bytes) of the items, in code order."""
    items = sorted(contents, key=lambda c: c.code)
    codes = [c.code for c in items]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate item codes")
    files = {MANIFEST: manifest_xml(items)}
    for content in items:
        files[f"items/{content.code}.xml"] = item_xml(content)
        for path, cls in media_files(content).items():
            files[path] = render_media(content.media, cls).encode()
    return _zip(files)


def matching(
    contents: Iterable[ItemContent],
    *,
    vehicle_class: str | None = None,
    topic: str | None = None,
    category: str | None = None,
) -> list[ItemContent]:
    """The items for ``vehicle_class`` with ``topic`` and ``category`` (each if given)."""
    return [
        c
        for c in contents
        if (not vehicle_class or vehicle_class in c.classes)
        and (not topic or c.topic == topic)
        and (not category or c.category == category)
    ]


# -- import ------------------------------------------------------------------------------------


def describe(problem: Problem) -> str:
    """``file[:line]: field: [code] message`` for people."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    who = f" [{problem.code}]" if problem.code else ""
    return f"{where}: {problem.field}:{who} {problem.message}"


def _unsafe(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in parts
    )


def _unpack(data: bytes, max_members: int, max_total: int) -> tuple[dict[str, bytes], list]:
    """The members of a zip, or problems; nothing is written to disk."""
    if len(data) > max_total:
        return {}, [Problem("package", f"the package is larger than {max_total} bytes", PACKAGE)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return {}, [Problem("package", "not a zip file", PACKAGE)]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > max_members:
            message = f"too many files ({len(infos)}; at most {max_members})"
            return {}, [Problem("package", message, PACKAGE)]
        if sum(i.file_size for i in infos) > max_total:
            message = f"the files unpack to more than {max_total} bytes"
            return {}, [Problem("package", message, PACKAGE)]
        problems = [
            Problem("package", "unsafe file name (absolute or with '..')", i.filename)
            for i in infos
            if _unsafe(i.filename)
        ]
        counts = Counter(i.filename for i in infos)
        problems += [
            Problem("package", "the name appears twice in the zip", name)
            for name in sorted(n for n, count in counts.items() if count > 1)
        ]
        if problems:
            return {}, problems
        files, total = {}, 0
        for info in infos:
            try:
                with archive.open(info) as member:
                    # Read at most what is left of the budget: a lying header cannot inflate more.
                    blob = member.read(max_total - total + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
                return {}, [Problem("package", f"cannot be read: {exc}", info.filename)]
            total += len(blob)
            if total > max_total:
                message = f"the files unpack to more than {max_total} bytes"
                return {}, [Problem("package", message, PACKAGE)]
            files[info.filename] = blob
    return files, []


def _parse(name: str, blob: bytes) -> tuple[ET.Element | None, Problem | None]:
    try:
        return SafeET.fromstring(blob, forbid_dtd=True), None
    except SafeET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        return None, Problem("xml", f"not well-formed XML: {exc}", name, line)
    except DefusedXmlException as exc:
        return None, Problem("xml", f"refused: {type(exc).__name__} (no DTDs or entities)", name)


def _resolve(base: str, href: str | None) -> str | None:
    """A package path for an href relative to the file at ``base``; None if it leaves the zip."""
    if not href or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(href)))
    return None if path.startswith("../") or path == ".." else path


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _check_manifest(root: ET.Element, files: dict[str, bytes]) -> tuple[list, list[Problem]]:
    """The item resources of a manifest and the problems of all its resources."""
    problems: list[Problem] = []
    if root.tag != _cp("manifest"):
        message = f"the root must be {{{CP_NS}}}manifest, found {root.tag}"
        return [], [Problem("manifest", message, MANIFEST)]
    resources = root.findall(f"{_cp('resources')}/{_cp('resource')}")
    ids = Counter(r.get("identifier") for r in resources)
    for identifier in sorted((i for i, n in ids.items() if n > 1), key=str):
        problems.append(Problem("resource", f"duplicate identifier {identifier!r}", MANIFEST))
    known = set(ids)
    for resource in resources:
        rid = resource.get("identifier") or "?"
        hrefs = [resource.get("href")] if resource.get("href") else []
        hrefs += [f.get("href") for f in resource.findall(_cp("file"))]
        for href in dict.fromkeys(hrefs):  # the resource's href is usually a file too
            path = _resolve(MANIFEST, href)
            if path is None or path not in files:
                message = f"resource {rid} references a missing file {href!r}"
                problems.append(Problem("file", message, MANIFEST))
        for dependency in resource.findall(_cp("dependency")):
            target = dependency.get("identifierref")
            if target not in known:
                message = f"resource {rid} depends on unknown resource {target!r}"
                problems.append(Problem("dependency", message, MANIFEST))
    items = [r for r in resources if r.get("type") == ITEM_TYPE]
    for resource in items:
        if not resource.get("href"):
            message = f"item resource {resource.get('identifier')} has no href"
            problems.append(Problem("resource", message, MANIFEST))
    if not items:
        problems.append(Problem("manifest", f"no resources of type {ITEM_TYPE}", MANIFEST))
    return items, problems


def _metadata(resource: ET.Element) -> tuple[dict | None, list[tuple[str, str]]]:
    """Our fields from the resource's ujisim:item metadata (raw, for check_content)."""
    ours = resource.find(f"{_cp('metadata')}/{{{EXT_NS}}}item")
    if ours is None:
        return None, [("metadata", f"no ujisim:item metadata ({EXT_NS}) for this item")]

    def field(name: str) -> str | None:
        element = ours.find(f"{{{EXT_NS}}}{name}")
        return None if element is None else (element.text or "")

    difficulty = field("difficulty")
    practice = {"true": True, "false": False}.get(field("practice") or "", field("practice"))
    raw = {
        "classes": (field("classes") or "").split(),
        "category": field("category"),
        "topic": field("topic"),
        "difficulty": int(difficulty) if difficulty and difficulty.isdigit() else difficulty,
        "practice": practice,
        "legal_basis": field("legal-basis"),
        "group": field("group") or "",
    }
    if field("demo") is not None:
        raw["demo"] = {"true": True, "false": False}.get(field("demo") or "", field("demo"))
    media = field("media")
    if media is not None:
        try:
            raw["media"] = json.loads(media)
        except ValueError as exc:
            return raw, [("media", f"the media spec is not valid JSON: {exc}")]
    return raw, []


def _read_item(path: str, root: ET.Element, files: dict[str, bytes]) -> tuple[dict, list]:
    """The item's own fields (raw) and (field, message) problems of its QTI structure."""
    if root.tag != _q("qti-assessment-item"):
        found = root.tag.partition("}")[0].lstrip("{") if "}" in root.tag else "no namespace"
        if root.tag.rpartition("}")[2] == "qti-assessment-item":
            return {}, [("xml", f"wrong namespace {found}; QTI 3.0 items use {QTI_NS}")]
        return {}, [("xml", f"the root must be qti-assessment-item, found {root.tag}")]
    problems: list[tuple[str, str]] = []
    raw: dict = {"code": root.get("identifier")}
    interactions = list(root.iter(_q("qti-choice-interaction")))
    if len(interactions) != 1:
        return raw, [("qti-choice-interaction", "an item needs exactly one choice interaction")]
    interaction = interactions[0]
    if interaction.get("max-choices") != "1":
        problems.append(("qti-choice-interaction", "max-choices must be 1 (single choice)"))
    choices = interaction.findall(_q("qti-simple-choice"))
    ids = [c.get("identifier") for c in choices]
    if len(set(ids)) != len(ids):
        problems.append(("qti-simple-choice", "duplicate choice identifiers"))
    response = interaction.get("response-identifier")
    declaration = next((d for d in root.findall(_q("qti-response-declaration"))
                        if d.get("identifier") == response), None)  # fmt: skip
    values = (
        []
        if declaration is None
        else declaration.findall(f"{_q('qti-correct-response')}/{_q('qti-value')}")
    )
    key = (values[0].text or "").strip() if len(values) == 1 else None
    if not values:
        problems.append(("qti-correct-response", f"no correct response for {response!r}"))
    elif len(values) > 1:
        problems.append(("qti-correct-response", "more than one correct response"))
    elif key not in ids:
        listed = ", ".join(map(str, ids))
        message = f"the correct response {key!r} is not among the choices ({listed})"
        problems.append(("qti-correct-response", message))
    if root.find(_q("qti-outcome-declaration")) is None:
        problems.append(("qti-outcome-declaration", "no SCORE outcome declaration"))
    processing = root.find(_q("qti-response-processing"))
    if processing is None or processing.get("template") != MATCH_CORRECT:
        problems.append(("qti-response-processing", f"must use the template {MATCH_CORRECT}"))
    for image in root.iter(_q("img")):
        target = _resolve(path, image.get("src"))
        if target is None or target not in files:
            problems.append(("img", f"image {image.get('src')!r} is not in the package"))
    raw["stem"] = _text(interaction.find(_q("qti-prompt")))
    raw["options"] = [{"text": _text(c), "key": c.get("identifier") == key} for c in choices]
    rubric = root.find(f"{_q('qti-item-body')}/{_q('qti-rubric-block')}")
    body = rubric.find(_q("qti-content-body")) if rubric is not None else None
    raw["explanation"] = _text(body if body is not None else rubric)
    return raw, problems


def read_package(
    data: bytes, *, max_members: int = MAX_MEMBERS, max_total_bytes: int = MAX_TOTAL_BYTES
) -> tuple[list[ItemContent], list[Problem]]:
    """The items of a QTI 3.0 package and its problems; no items at all if there is any problem."""
    files, problems = _unpack(data, max_members, max_total_bytes)
    if problems:
        return [], problems
    if MANIFEST not in files:
        return [], [Problem("manifest", "imsmanifest.xml is missing", PACKAGE)]
    manifest, problem = _parse(MANIFEST, files[MANIFEST])
    if problem:
        return [], [problem]
    resources, problems = _check_manifest(manifest, files)
    contents: list[ItemContent] = []
    codes: dict[str, str] = {}
    stems: dict[str, str] = {}
    for resource in resources:
        path = _resolve(MANIFEST, resource.get("href"))
        if path is None or path not in files:
            continue  # already reported by _check_manifest
        root, problem = _parse(path, files[path])
        if problem:
            problems.append(problem)
            continue
        raw, found = _read_item(path, root, files)
        code = raw.get("code") if isinstance(raw.get("code"), str) else ""
        meta, meta_found = _metadata(resource)
        problems += [Problem(f, m, path, code=code) for f, m in found]
        problems += [Problem(f, m, MANIFEST, code=code) for f, m in meta_found]
        if found or meta_found or meta is None:
            continue
        content, checks = check_content({**raw, **meta})
        for f, m in checks:
            where = MANIFEST if f.split(".")[0] in META_FIELDS else path
            problems.append(Problem(f, m, where, code=code))
        if content is None:
            continue
        stem = normalise_stem(content.stem)
        if content.code in codes:
            message = f"duplicate identifier (also in {codes[content.code]})"
            problems.append(Problem("identifier", message, path, code=content.code))
        elif stem in stems:
            message = f"same stem as {stems[stem]}"
            problems.append(Problem("stem", message, path, code=content.code))
        else:
            codes[content.code], stems[stem] = path, content.code
            contents.append(content)
    return ([] if problems else contents), problems
