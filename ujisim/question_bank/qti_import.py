"""QTI 3.0 import: a content package (``qti.py`` writes them, and documents the mapping) back to
item content.

``read_package`` refuses the whole package when anything is wrong and returns every problem with
the file it is in: not a zip, too large or too many members (zip bombs), unsafe member names
(``..``, absolute paths), a missing manifest or referenced file, XML that is not well-formed or
uses DTDs/entities (parsed with defusedxml), wrong namespaces, a missing or unknown correct
response, duplicate identifiers and stems, and every check of ``content.check_content``. Pure
functions over plain data; the CLI (``flask bank import-qti``) does the database work.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
from collections import Counter
from urllib.parse import unquote
from xml.etree import ElementTree as ET  # noqa: S405 -- types only; parsing is defused

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ujisim.question_bank.content import ItemContent, Problem, check_content, normalise_stem
from ujisim.question_bank.qti import (
    CLIP_CLASS,
    CP_NS,
    EXT_NS,
    ITEM_TYPE,
    MANIFEST,
    MATCH_CORRECT,
    QTI_NS,
    XML_NS,
)

#: the "file" of a problem of the package as a whole
PACKAGE = "(package)"
#: fields of the ujisim:item metadata; their problems are reported against the manifest
META_FIELDS = (
    "classes", "category", "topic", "difficulty", "practice", "legal_basis", "media", "group",
    "demo",
)  # fmt: skip

#: import limits: a bank of a few thousand items stays far below them
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


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


XML_LANG = f"{{{XML_NS}}}lang"


def _texts(element: ET.Element | None, lang: str) -> dict[str, str]:
    """Language -> text of an element: one per child marked with its ``xml:lang`` (an item in
    two languages, see qti.py), else all its text, in the item's language ``lang``."""
    if element is None:
        return {}
    marked = [child for child in element if child.get(XML_LANG)]
    if marked:
        return {child.get(XML_LANG): _text(child) for child in marked}
    return {lang: _text(element)}


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
    clips = [i for i in root.iter(_q("qti-custom-interaction")) if i.get("class") == CLIP_CLASS]
    if clips:
        return _read_clip(path, root, clips, files)
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
    lang = root.get(XML_LANG) or "id"
    stem = _texts(interaction.find(_q("qti-prompt")), lang)
    texts = [_texts(c, lang) for c in choices]
    rubric = root.find(f"{_q('qti-item-body')}/{_q('qti-rubric-block')}")
    body = rubric.find(_q("qti-content-body")) if rubric is not None else None
    explanation = _texts(body if body is not None else rubric, lang)
    raw["stem"] = stem.get("id", "")
    raw["options"] = [
        {"text": t.get("id", ""), "key": c.get("identifier") == key}
        for t, c in zip(texts, choices, strict=True)
    ]
    raw["explanation"] = explanation.get("id", "")
    if any("en" in t for t in (stem, explanation, *texts)):
        raw["en"] = {
            "stem": stem.get("en", ""),
            "options": [t["en"] for t in texts if "en" in t],
            "explanation": explanation.get("en", ""),
        }
    return raw, problems


def _read_clip(path: str, root: ET.Element, clips: list, files: dict[str, bytes]):
    """A hazard-perception clip's own fields (``qti.clip_xml``): the situation and the
    explanation; the clip comes from the manifest's metadata (``_metadata``)."""
    raw: dict = {"code": root.get("identifier"), "options": []}
    if len(clips) != 1 or list(root.iter(_q("qti-choice-interaction"))):
        return raw, [("qti-custom-interaction", "a clip item has exactly one clip interaction")]
    problems = [("img", f"image {image.get('src')!r} is not in the package")
                for image in root.iter(_q("img"))
                if _resolve(path, image.get("src")) not in files]  # fmt: skip
    lang = root.get(XML_LANG) or "id"
    stem = _texts(clips[0].find(_q("qti-prompt")), lang)
    rubric = root.find(f"{_q('qti-item-body')}/{_q('qti-rubric-block')}")
    body = rubric.find(_q("qti-content-body")) if rubric is not None else None
    explanation = _texts(body if body is not None else rubric, lang)
    raw["stem"] = stem.get("id", "")
    raw["explanation"] = explanation.get("id", "")
    if "en" in stem or "en" in explanation:
        raw["en"] = {"stem": stem.get("en", ""), "options": [],
                     "explanation": explanation.get("en", "")}  # fmt: skip
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
