"""Question banks: items with versions, media drawn as SVG, authoring with review, QTI 3.0
exchange and practice mode."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.core import duties
from ujisim.core import signals as core_signals
from ujisim.question_bank import (
    authoring,
    authoring_edit,  # noqa: F401 -- defines authoring.bp's create, edit, preview and diff
    cli,
    clip_practice,
    labels,
    practice,
    publishing,
    views,
)
from ujisim.question_bank.models import ItemVersion

OWN_VERSION = _l("You wrote this version of the item. Another examiner must review it.")


def init_app(app: Flask) -> None:
    labels.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(publishing.bp)
    app.register_blueprint(practice.bp)
    app.register_blueprint(clip_practice.bp)
    app.cli.add_command(cli.bank_cli)
    # separation of duties: the author of a version never approves or returns it (once per
    # process: blinker keeps one connection per receiver)
    core_signals.subject_wanted.connect(version_subject, sender=ItemVersion)


def version_subject(_model, *, session, obj: ItemVersion) -> duties.Subject:
    """``core.signals.subject_wanted``: the author of an item version."""
    return duties.Subject("item", obj.item.code, OWN_VERSION, frozenset({obj.author_id} - {None}))
