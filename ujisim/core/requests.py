"""One unit of work per request: the request commits once after success and rolls back on error.

The shape is Indico's request handler (indico/web/rh.py, ``RH.process``): it runs the handler's
``_process``, then ``db.session.commit()`` when it returned, and ``db.session.rollback()`` before
re-raising any exception, so that rendering the error page starts from a clean session. Here
``App.dispatch_request`` does the same around every Flask view:

- the view returns a response with status < 400: the request's session (``core.db.get_session``)
  commits, before the response leaves, so that a failed commit becomes an error response and not
  a 200 with lost data. A unique or serialization conflict found only at the commit is a 409
  (``ConflictError``); any other database error stays a 500;
- the view raises (a ``UjisimError``, an ``abort()``, a bug): the session rolls back; the error
  handlers (``core/errors.py``) answer, a refused form post with a flash and a 303 back to its page;
- the view returns a status >= 400 (a form re-rendered with its errors, 409 stale form, an error
  page): the session rolls back too. A refused request changes nothing (shared/DESIGN.md: "bad
  input gets a 4xx with a clear message and changes nothing"); a view that must keep what it
  wrote with a 4xx says so with ``commit_despite_error_status()``: the audit record of a failed
  login (401, accounts/views.py) and a provider's refused webhook event, kept on record
  (renewal/webhooks.py).

GET requests commit too (their session is a read session, and a view may create a default row
on first use, as the exam blueprints do); a request that never opened a session does nothing.

Views, CLI commands and jobs are the boundaries (shared/DESIGN.md); views no longer commit by
hand. The deliberate exceptions, each on a session other than the request's or through
``commit_now()``:

- ``certificates/api.py`` ``authenticate``: a station's last-used time is written on a session of
  its own before the view (a GET request too), and kept whatever the request does;
- ``core/duties.py`` ``_refuse``: the audit record of a refused staff action, on a write session of
  its own, since the refusal rolls the request back;
- ``renewal/officer.py`` ``_audit_refused_pickup``: the record of a KTP refused at the pick-up
  counter (neither the holder's nor the named proxy's NIK), likewise;
- ``core/ratelimits.py``: rate-limit counters on a connection of their own (a rolled-back request
  still counts);
- ``certificates/codes.py`` ``code_for``: the short verification code of a document rendered on a
  GET request (a certificate or a card's print file), first made then, on a write session of its
  own (a SQLite read transaction cannot become a write one while other writers commit);
- ``proctoring/api.py`` ``snapshot``: ``commit_now()`` before the answer is built, so that in eager
  job mode (tests) the analysis job runs and the answer carries its warning;
- ``core/speech.py`` ``audio_for``: a question's audio, made on a GET, is kept on a write session
  of its own (a cache, not the request's work).
"""

from __future__ import annotations

from flask import Flask, g
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, IntegrityError

from ujisim.core.errors import TITLES, ConflictError

#: SQLSTATEs of a transaction the database refused at its commit because a concurrent one won:
#: serialization failure, deadlock (PostgreSQL); SQLite's writers queue on its lock instead
CONFLICT_SQLSTATES = {"40001", "40P01"}
KEEP_ON_ERROR = "ujisim.commit_despite_error_status"


class App(Flask):
    """Flask with the request's unit of work around every view (module docstring)."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            _end(commit=False)
            raise
        _end(commit=response.status_code < 400 or g.get(KEEP_ON_ERROR, False))
        return response


def _end(*, commit: bool) -> None:
    """Commit or roll back the request's session, if it opened one."""
    session = g.get("db_session")
    if session is None:
        return
    if not commit:
        session.rollback()
        return
    try:
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        _take_back_success_flashes()
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if isinstance(exc, IntegrityError) or sqlstate in CONFLICT_SQLSTATES:
            raise ConflictError(TITLES[409][1]) from exc
        raise


def _take_back_success_flashes() -> None:
    """A view flashes its success before the commit; when the commit fails, nothing happened."""
    flashes = cookie_session.get("_flashes")
    if flashes:
        cookie_session["_flashes"] = [f for f in flashes if f[0] != "success"]


def commit_despite_error_status() -> None:
    """Keep what this request wrote although its response is an error status (>= 400): for a
    refusal that must leave a trace, such as the audit record of a failed login."""
    setattr(g, KEEP_ON_ERROR, True)


def commit_now() -> None:
    """Commit the request's session before the view returns (a documented exception, see the
    module docstring); the unit of work still commits or rolls back what comes after."""
    session = g.get("db_session")
    if session is not None:
        session.commit()
