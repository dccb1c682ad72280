"""Names shown to people for the bank's classes, categories and topics (one place for all pages)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.question_bank.models import Category

CLASS_LABELS = {"A": _l("SIM A (car)"), "C": _l("SIM C (motorcycle)")}
CATEGORY_LABELS = {
    Category.PERSEPSI_BAHAYA: _l("Hazard perception"),
    Category.WAWASAN: _l("Road conduct"),
    Category.PENGETAHUAN: _l("Knowledge"),
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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        class_label=lambda c: CLASS_LABELS.get(c, c),
        category_label=lambda c: CATEGORY_LABELS.get(c, c),
        topic_label=lambda t: TOPIC_LABELS.get(t, t),
    )
