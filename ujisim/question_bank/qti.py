"""QTI 3.0 exchange: item content to a 1EdTech QTI 3.0 content package and back.

Pure functions over plain data (``content.ItemContent`` in, zip bytes out, and back); the CLI
(``flask bank export-qti`` / ``import-qti``) does the database work.

Package layout (entries sorted by name, fixed timestamps, so the same items give the same bytes)::

    imsmanifest.xml                 IMS Content Packaging (QTI 3.0 profile)
    items/<CODE>.xml                one qti-assessment-item per item
    media/sign-<SIGN_ID>.svg        a sign, shared by every item that shows it
    media/scene-<CODE>-<A|C>.svg    a scene as a candidate of that class sees it
    media/clip-<CODE>-<A|C>.svg     a clip's first frame (the fallback where no player runs)

Mapping of an item:

* ``qti-assessment-item identifier`` = item code, ``xml:lang="id"``.
* stem -> ``qti-prompt`` of the one ``qti-choice-interaction`` (max-choices 1, shuffle true);
  options -> ``qti-simple-choice`` A, B, C, D in authoring order; the key -> the
  ``qti-correct-response`` of ``RESPONSE``; ``SCORE`` outcome; response processing by the
  ``match_correct`` template.
* explanation -> ``qti-rubric-block use="scoring" view="scorer tutor"`` (shown to scorers and
  tutors, never to candidates), at the end of the item body.
* An item with its English (``ItemContent.en``) is one item in two languages, the way QTI marks
  language: every text above holds one element per language with its ``xml:lang`` (an
  attribute of every body element), ``<span xml:lang="id">`` and ``<span xml:lang="en">`` in
  the prompt and in each choice, ``<p xml:lang="id">`` and ``<p xml:lang="en">`` in the rubric.
  The choices, the key and the scoring stay one (the key is the same option in both); a
  delivery system shows the language its candidate chose (CSS ``:lang()``). An item without
  English keeps the plain texts it always had. A scene's English (``title_en``, ``label_en``)
  travels in its media spec, a sign's English name comes with the sign.
* media -> ``<img>`` in the item body pointing at the SVG files (one per class for scenes).
* A hazard-perception clip (``media: {clip}``) is a ``qti-custom-interaction`` (``clip_xml``):
  the response is its clicks, the fallback its first frame; no choices, no key.
* What QTI has no field for (classes, category, topic, difficulty, practice (``false``: reserved
  for official exams), the enemy group, the demo-set mark, legal basis and the media spec as
  JSON, so an import restores it exactly instead of guessing from the SVG) goes into the
  manifest, in each item resource's
  ``<metadata>`` as a ``ujisim:item`` element in our own namespace ``EXT_NS``, next to the
  standard ``imsqti:qtiMetadata``. Items stay plain QTI.

The import (``read_package``, refusing a whole package on any problem) is in ``qti_import.py``.

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
import zipfile
from collections.abc import Iterable

from lxml import etree  # building only; every package read goes through defusedxml

from ujisim.question_bank.content import ItemContent, is_clip
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
CHOICE_IDS = "ABCD"
#: the class of a hazard-perception clip's qti-custom-interaction
CLIP_CLASS = "ujisim-hazard-clip"
#: every zip entry's timestamp, so that the same items give the same bytes
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
    kind = "clip" if is_clip(content.media) else "scene"
    return {f"media/{kind}-{content.code}-{c}.svg": c for c in content.classes}


def _resource_id(path: str) -> str:
    return "MEDIA-" + posixpath.splitext(posixpath.basename(path))[0]


def _texts(parent: etree._Element, tag: str, texts: dict[str, str]) -> None:
    """``texts`` (language -> text) into ``parent``: the one text itself, or one ``tag``
    element per language marked with its ``xml:lang``."""
    if len(texts) == 1:
        parent.text = next(iter(texts.values()))
        return
    for lang, text in texts.items():
        _sub(parent, _q(tag), text).set(f"{{{XML_NS}}}lang", lang)


def _root(content: ItemContent, time_dependent: str) -> etree._Element:
    root = etree.Element(_q("qti-assessment-item"), nsmap=ITEM_NSMAP)
    for name, value in (("identifier", content.code), ("title", content.code),
                        ("adaptive", "false"), ("time-dependent", time_dependent)):  # fmt: skip
        root.set(name, value)
    root.set(f"{{{XML_NS}}}lang", "id")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    return root


def _rubric(body: etree._Element, content: ItemContent) -> None:
    """The explanation, for scorers and tutors only (never the candidate)."""
    rubric = _sub(body, _q("qti-rubric-block"), use="scoring", view="scorer tutor")
    content_body = _sub(rubric, _q("qti-content-body"))
    if content.en is None:
        _sub(content_body, _q("p"), content.explanation)
    else:
        for lang, text in (("id", content.explanation), ("en", content.en.explanation)):
            _sub(content_body, _q("p"), text).set(f"{{{XML_NS}}}lang", lang)


def clip_xml(content: ItemContent) -> bytes:
    """The qti-assessment-item of a hazard-perception clip: a ``qti-custom-interaction``
    (``CLIP_CLASS``) whose response is the clicks (seconds of the clip, in order) and whose
    fallback, for a delivery system that cannot play it, is the clip's first frame and its
    situation. The clip itself and its scoring windows travel in the manifest's
    ``ujisim:media``; QTI's response-processing templates cannot express window scoring, so the
    item has none (scored by the delivery system: ``clip_scoring``)."""
    root = _root(content, "true")
    _sub(root, _q("qti-response-declaration"), identifier="RESPONSE", cardinality="ordered",
         base_type="float")  # fmt: skip
    outcome = _sub(root, _q("qti-outcome-declaration"), identifier="SCORE", cardinality="single",
                   base_type="float")  # fmt: skip
    _sub(_sub(outcome, _q("qti-default-value")), _q("qti-value"), "0")
    body = _sub(root, _q("qti-item-body"))
    interaction = _sub(body, _q("qti-custom-interaction"), response_identifier="RESPONSE",
                       class_=CLIP_CLASS)  # fmt: skip
    prompt = _sub(interaction, _q("qti-prompt"))
    en = content.en
    _texts(prompt, "span", {"id": content.stem, **({"en": en.stem} if en else {})})
    figure = _sub(interaction, _q("div"), class_="ujisim-media")
    for path, cls in media_files(content).items():
        alt = f"Klip persepsi bahaya, gambar awal (SIM {cls})"
        _sub(figure, _q("img"), src=f"../{path}", alt=alt, class_=f"ujisim-class-{cls}")
    _rubric(body, content)
    return _xml(root)


def item_xml(content: ItemContent) -> bytes:
    """The qti-assessment-item of one item."""
    if is_clip(content.media):
        return clip_xml(content)
    root = _root(content, "false")
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
    en = content.en
    prompt = _sub(interaction, _q("qti-prompt"))
    _texts(prompt, "span", {"id": content.stem, **({"en": en.stem} if en else {})})
    for index, (identifier, option) in enumerate(zip(CHOICE_IDS, content.options, strict=False)):
        choice = _sub(interaction, _q("qti-simple-choice"), identifier=identifier)
        english = {"en": en.options[index]} if en and index < len(en.options) else {}
        _texts(choice, "span", {"id": option.text, **english})
    _rubric(body, content)
    _sub(root, _q("qti-response-processing"), template=MATCH_CORRECT)
    return _xml(root)


def _item_metadata(resource: etree._Element, content: ItemContent) -> None:
    metadata = _sub(resource, _cp("metadata"))
    qti = _sub(metadata, f"{{{QTIMD_NS}}}qtiMetadata")
    clip = is_clip(content.media)
    _sub(qti, f"{{{QTIMD_NS}}}timeDependent", "true" if clip else "false")
    _sub(
        qti, f"{{{QTIMD_NS}}}interactionType", "customInteraction" if clip else "choiceInteraction"
    )
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
