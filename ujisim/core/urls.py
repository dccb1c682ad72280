"""Absolute URLs for links that leave the app (e-mails, the QR code on a card or certificate).

They are built on the configured public address (``PUBLIC_URL``, ``UJISIM_PUBLIC_URL``), never on
the request's Host header, which the client chooses: a password-reset link built from it could
send the token to another site, and a card printed for a request with a forged host would carry
a QR code pointing there. Production refuses to start without ``UJISIM_PUBLIC_URL`` (config.py);
development and tests use ``DEV_PUBLIC_URL``, what ``make run`` serves.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

DEV_PUBLIC_URL = "http://localhost:5000"


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` (with ``values``) at the app's public address."""
    base = urlsplit(current_app.config.get("PUBLIC_URL") or DEV_PUBLIC_URL)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
