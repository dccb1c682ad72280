"""One error shape: JSON ``{"error": {"code", "message", "fields"}}`` or an HTML page.

Domains raise subclasses of ``UjisimError`` (in their ``errors.py``); this module maps them and
every HTTP error to a response in the user's language. A domain error refusing a form posted from
a page (not /api/, not JSON) is shown on that page instead: its message flashed, a 303 back
(``refusal_page``, or the form's ``back`` field). Views neither catch domain errors nor roll
back (core/requests.py).
"""

from __future__ import annotations

import functools
import math

from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ujisim.core import clock
from ujisim.core.db import SAFE_METHODS
from ujisim.core.ratelimits import limiter
from ujisim.core.redirects import safe_next


class UjisimError(Exception):
    """Base of domain errors: a status, a machine code and a message for the user."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None, *, code: str = ""):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class NotFoundError(UjisimError):
    status = 404
    code = "not_found"


class ForbiddenError(UjisimError):
    status = 403
    code = "forbidden"


class ConflictError(UjisimError):
    status = 409
    code = "conflict"


class IllegalTransition(ConflictError):
    """A status move its workflow's table refuses (core/workflow.py), e.g. printing a job that
    was never claimed; nothing was changed."""

    code = "illegal_transition"


class ValidationError(UjisimError):
    status = 422
    code = "invalid"


class DutyRefused(ForbiddenError):
    """A staff action or page refused by the separation of duties (core/duties.py: 403,
    audited)."""

    code = "separation_of_duties"


# Programming errors, not domain errors: no user can cause them, so they stay a 500.


class DocumentError(RuntimeError):
    """A route of a documented blueprint the OpenAPI document (core/openapi.py) cannot
    describe (no decorator, or a path argument without a schema)."""


class SchemaMismatch(RuntimeError):
    """A view validated its body or query with another model than its ``@operation`` names
    (core/schemas.py): the document would promise what the view does not check (a programming
    error, so a 500)."""


TITLES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    401: (_l("Login required"), _l("Please log in to continue.")),
    403: (_l("Access denied"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("The data changed in the meantime. Reload the page and try again.")),
    413: (_l("File too large"), _l("The upload is larger than the allowed size.")),
    422: (_l("Invalid data"), _l("Some data is invalid. Check the fields and try again.")),
    429: (_l("Too many attempts"), _l("Too many requests. Please wait a moment and try again.")),
    500: (_l("Server error"), _l("Something went wrong on our side. Nothing was saved.")),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Render an error as JSON or as an HTML page, with ``status``."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    if wants_json():
        return {"error": {"code": code, "message": str(message), "fields": fields or {}}}, status
    title = TITLES.get(status, TITLES[400])[0]
    page = render_template(
        "errors/error.html", status=status, title=title, message=message, fields=fields or {}
    )
    return page, status


def _retry_after() -> int | None:
    """Seconds until the breached rate limit resets (Flask-Limiter's current limit), on the
    app's clock: the counters' windows are kept on it (core/ratelimits.py), so the wait must be
    too (Flask-Limiter's own header reads the system clock)."""
    current = limiter.current_limit
    if current is None:
        return None
    # the window's end itself (``reset_at`` is that plus one second, truncated)
    return max(1, math.ceil(current.window.reset_time - clock.now().timestamp()))


def _http_message(exc: HTTPException) -> str:
    from flask_babel import gettext

    status = exc.code or 500
    if isinstance(exc, CSRFError):
        return gettext(
            "This form has expired or did not come from this site. "
            "Reload the page and send it again."
        )
    if status == 429:
        seconds = _retry_after()
        if seconds is not None:
            return gettext(
                "Too many attempts. Please wait %(seconds)s seconds and try again.",
                seconds=seconds,
            )
    return str(TITLES.get(status, TITLES[400])[1])


def handle_http(exc: HTTPException):
    status = exc.code or 500
    # a failed CSRF check has its own code: a script then knows to fetch a fresh token (login)
    error_code = "csrf_failed" if isinstance(exc, CSRFError) else CODES.get(status, "error")
    body, code = error_response(status, error_code, _http_message(exc))
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 429:
        seconds = _retry_after()
        if seconds is not None:
            # Flask-Limiter keeps a Retry-After that is there (it only raises a shorter one)
            headers["Retry-After"] = str(seconds)
    return body, code, headers


#: domain errors that are access decisions, answered with their error page even after a form
#: post (DutyRefused: an audited 403, registered by app.py)
PAGE_ERRORS: set[type[UjisimError]] = set()


def keep_error_page(cls: type[UjisimError]) -> type[UjisimError]:
    """Answer ``cls`` (and its subclasses) with the error page, never a flash (PAGE_ERRORS)."""
    PAGE_ERRORS.add(cls)
    return cls


BACK_KEY = "ujisim.refusal_page"


def refusal_page(endpoint: str, *, keep: tuple[str, ...] = ()):
    """Decorate a view that takes a form posted from ``endpoint``'s page: a domain error it
    raises is flashed there (303). ``endpoint`` gets those of the view's URL arguments its own
    rule has (``/<public_id>/approve`` -> ``detail(public_id)``), and the request's values named
    in ``keep`` (``?attempt=...``) when given."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            setattr(g, BACK_KEY, (endpoint, keep))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def set_refusal_page(url: str) -> None:
    """The page (a path on this site) a domain error raised from now on in this form post is
    flashed on, for a view whose page is known only once it has loaded its object."""
    setattr(g, BACK_KEY, url)


def _page_of_form() -> str | None:
    """Where a refused form goes back to: the view's ``refusal_page``, else the form's ``back``
    field (a path on this site); None: the error page. The Referer is not used: a view that
    does not name its page may be posted from pages that no longer offer the form."""
    if isinstance(g.get(BACK_KEY), str):
        return g.get(BACK_KEY)
    if BACK_KEY in g:
        endpoint, keep = g.get(BACK_KEY)
        names = set().union(*(r.arguments for r in current_app.url_map.iter_rules(endpoint)))
        args = {k: v for k, v in (request.view_args or {}).items() if k in names}
        args.update({k: request.values[k] for k in keep if request.values.get(k)})
        return url_for(endpoint, **args)
    return safe_next(request.form.get("back"))


def handle_domain(exc: UjisimError):
    if request.method not in SAFE_METHODS and not wants_json():
        page = None if isinstance(exc, tuple(PAGE_ERRORS)) else _page_of_form()
        if page is not None:
            session = g.get("db_session")
            if session is not None:
                session.rollback()
            flash(str(exc.message), "error")
            return redirect(safe_next(page) or "/", 303)
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def handle_internal(exc: InternalServerError):
    return error_response(500, "server_error", TITLES[500][1])


def init_app(app: Flask) -> None:
    app.register_error_handler(UjisimError, handle_domain)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_internal)


class InvalidJSON(ValueError):
    """JSON outside core/json_input.py's limits; ``reason``: depth, constant or nul. A
    ValueError like a syntax error, turned into a 422 by the app's JSON provider."""

    def __init__(self, reason: str):
        super().__init__(f"JSON refused: {reason}")
        self.reason = reason


class InvalidImage(ValidationError):
    """An image refused by the intake (core/images.py); ``fields`` names the field and ``code``
    says why."""

    code = "invalid_image"


class SpeechUnavailable(UjisimError):
    """The server could not make the audio of a question (core/speech.py): espeak-ng (or the
    encoder) is missing or failed; the message names the tool."""

    status = 503
    code = "speech_unavailable"
