"""Question banks: items with versions, media drawn as SVG, authoring with review, QTI 3.0
exchange and practice mode."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ujisim.question_bank import authoring, cli, labels, practice, publishing, views

    labels.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(publishing.bp)
    app.register_blueprint(practice.bp)
    app.cli.add_command(cli.bank_cli)
