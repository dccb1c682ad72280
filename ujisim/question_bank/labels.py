"""Names shown to people for the bank's classes, categories, topics and the states of its items
and versions (one place for all pages; the codes stay in the database and in form values)."""

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ujisim.core import workflow
from ujisim.question_bank.media.signs import SIGNS
from ujisim.question_bank.models import Category, ItemStatus, VersionState

CLASS_LABELS = {"A": _l("SIM A (car)"), "C": _l("SIM C (motorcycle)")}
CATEGORY_LABELS = {
    Category.PERSEPSI_BAHAYA: _l("Hazard perception"),
    Category.WAWASAN: _l("Road conduct"),
    Category.PENGETAHUAN: _l("Knowledge"),
}
#: the clicking patterns that score a clip 0 (clip_scoring.PatternRule)
CLIP_PATTERN_LABELS = {
    "too_many": _l("too many clicks"),
    "burst": _l("a burst of clicks"),
    "rhythm": _l("clicks at a steady beat"),
}
TOPIC_LABELS = {
    "rambu": _l("Traffic signs"),
    "marka": _l("Road markings"),
    "apill": _l("Traffic lights"),
    "kecepatan": _l("Speed limits"),
    "hak_utama": _l("Right of way"),
    "kelengkapan_keselamatan": _l("Safety equipment"),
    "perilaku_etika": _l("Conduct and etiquette"),
    "keadaan_darurat": _l("Emergencies"),
    "surat_sanksi": _l("Documents and penalties"),
    "kendaraan": _l("The vehicle"),
    "muatan_penumpang": _l("Loads and passengers"),
}

STATUS_LABELS = {
    ItemStatus.DRAFT: _l("Draft"),
    ItemStatus.IN_REVIEW: _l("In review"),
    ItemStatus.ACTIVE: _l("Active"),
    ItemStatus.RETIRED: _l("Retired"),
}
STATE_LABELS = {
    VersionState.DRAFT: _l("Draft"),
    VersionState.IN_REVIEW: _l("In review"),
    VersionState.RETURNED: _l("Returned for changes"),
    VersionState.ACTIVE: _l("Active"),
    VersionState.SUPERSEDED: _l("Superseded"),
}
workflow.name_states(ItemStatus, STATUS_LABELS)
workflow.name_states(VersionState, STATE_LABELS)
EVENT_LABELS = {
    "submitted": _l("Submitted for review"),
    "approved": _l("Approved"),
    "returned": _l("Returned for changes"),
    "superseded": _l("Superseded by a newer version"),
    "retired": _l("Retired"),
}


def media_alt(version, lang: str | None = None) -> str:
    """A text alternative for an item version's picture, naming the sign or describing the
    scene in ``lang`` (the page's language by default; a scene without English in Indonesian):
    for staff pages and practice (an official paper's picture has none, as a sign's name is
    often the key)."""
    lang = lang or str(get_locale())
    media = version.media or {}
    if "sign" in media:
        sign = SIGNS.get(media["sign"])
        return _("Traffic sign: %(name)s", name=sign.name(lang) if sign else media["sign"])
    if "scene" in media or "clip" in media:
        scene = media.get("scene") or media["clip"]
        return (scene.get("title_en") if lang == "en" else None) or scene.get("title", "")
    return ""


def version_state(code: str | None) -> str:
    """``superseded`` -> "Superseded" (in the page's language); an unknown code as it is."""
    return str(STATE_LABELS.get(code, code or ""))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        class_label=lambda c: CLASS_LABELS.get(c, c),
        category_label=lambda c: CATEGORY_LABELS.get(c, c),
        topic_label=lambda t: TOPIC_LABELS.get(t, t),
        media_alt=media_alt,
    )
    app.add_template_filter(version_state, "version_state")
