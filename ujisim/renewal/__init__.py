"""Online renewal of SIM A and C: the licence registry, eligibility, documents, the identity
check seam, delivery choice, payment (provider interface, sandbox, signed webhook), officer
verification, delivery orders (courier interface, sandbox) and the holder's tracking page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ujisim.renewal import report_sources

    report_sources.register()  # its queues and figures in the examiners' reports
    import ujisim.renewal.documents  # noqa: F401 (registers the storage access rules)
    from ujisim.accounts import services as accounts
    from ujisim.certificates import print_queue, register_document_source
    from ujisim.core.security import csrf
    from ujisim.renewal import (
        api,
        application,
        cli,
        delivery,
        officer,
        tasks,
        verification,
        views,
        webhooks,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(officer.bp)
    # authenticated by their HMAC signature only: no cookies, nothing for CSRF to protect
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
    app.cli.add_command(cli.licences_cli)
    tasks.register()
    accounts.register_deletion_guard("renewal", application.deletion_guard)
    accounts.register_deletion_cleanup("renewal", application.forget_print_jobs)
    accounts.register_deletion_cleanup("renewal.faces", application.forget_registry_faces)
    # the QR on the back of a licence card verifies against the registry
    register_document_source("card", verification.card_source)
    # a printed card moves its delivery order on at once (sync_printed stays as a safety net)
    if delivery.mark_card_printed not in print_queue.ON_PRINTED:
        print_queue.ON_PRINTED.append(delivery.mark_card_printed)
