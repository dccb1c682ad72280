"""Question banks: items with versions, media drawn as SVG, authoring with review, QTI 3.0
exchange and practice mode."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.core import duties
from ujisim.question_bank import authoring, cli, labels, practice, publishing, views
from ujisim.question_bank.models import ItemVersion


def init_app(app: Flask) -> None:
    labels.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(publishing.bp)
    app.register_blueprint(practice.bp)
    app.cli.add_command(cli.bank_cli)
    # separation of duties: the author of a version never approves or returns it
    duties.register_subject(
        ItemVersion,
        lambda _session, version: duties.Subject(
            "item",
            version.item.code,
            _l("You wrote this version of the item. Another examiner must review it."),
            frozenset({version.author_id} - {None}),
        ),
    )
