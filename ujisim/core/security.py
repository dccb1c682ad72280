"""Roles, access decorators, CSRF, rate limits and security headers."""

from __future__ import annotations

import enum
from functools import wraps

from flask import Flask, Response, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from ujisim.core import ratelimits
from ujisim.core.errors import wants_json
from ujisim.core.ratelimits import limiter

__all__ = ["csrf", "limiter"]  # limiter: built in ratelimits (the error pages read it too)

csrf = CSRFProtect()


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    EXAMINER = "examiner"
    PRINT_SHOP = "print_shop"
    ADMIN = "admin"


#: what a page fetches for itself (Sec-Fetch-Dest), never a page the user opened
SUBRESOURCES = frozenset({"image", "audio", "video", "track", "script", "style", "font"})


def role_required(*roles: Role):
    """Anonymous users go to the login page; users without one of ``roles`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.headers.get("Sec-Fetch-Dest") in SUBRESOURCES:
                    # a picture or sound the page asked for: a bare 401, no login page and no
                    # session (a new anonymous session per picture raced the next login's token)
                    return Response(status=401)
                if wants_json():
                    abort(401)  # a script gets a JSON answer it can act on, not the login page
                return current_app.login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


# No inline script anywhere: every script is a file served by the app.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config.get("HTTPS"):
        app.config["PREFERRED_URL_SCHEME"] = "https"
    # Redis when there is one; else the app's own database, which every worker shares (in
    # memory each gunicorn worker would count alone and a limit would let workers x N through)
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or ratelimits.STORAGE_URI
    )
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_security_headers)
