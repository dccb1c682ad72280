"""Short verification codes: what an officer types at ``/verify`` when the QR cannot be scanned.

A document's QR holds a signed token of about 170 characters in a 180-character URL, which nobody
can type. Beside the QR we print a code of 10 characters from Crockford's base32 (digits and
upper-case letters without I, L, O and U), grouped ``ABCDE-FGH12``. The code is random and
stored with the exact token of that QR (one code per token, ever: the same document printed
again shows the same code), so typing it gives the same verdict as scanning.

Typing is forgiving: case, spaces and dashes do not matter, and the letters O, I and L that are
not in the alphabet are read as the digits 0, 1 and 1 they are mistaken for.

Keyspace: 32^10 = 2^50 (about 1.1e15) codes. Lookups are limited per address
(``LOOKUP_LIMIT``): with ten million codes issued, one address guessing at the full rate finds
one about every twenty years; and a code lookup by an anonymous visitor shows less than the QR's
page (``verdicts.py``).
"""

from __future__ import annotations

import dataclasses
import re
import secrets

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.certificates import signing
from ujisim.certificates.models import VerificationCode
from ujisim.core import clock
from ujisim.core.db import SAFE_METHODS, get_db
from ujisim.core.secrets import signing_key
from ujisim.core.urls import public_url

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
#: what a mistyped code is read as: letters outside the alphabet for the digits they look like
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
#: lookups of a typed code per address (Flask-Limiter syntax): at most 14,400 guesses a day
LOOKUP_LIMIT = "10 per minute"
_TRIES = 5


def new_code() -> str:
    """A random code (50 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``ABCDEFGH12`` -> ``ABCDE-FGH12``, as printed and shown."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code


def normalise(typed: str | None) -> str | None:
    """The code as stored, from what somebody typed; None when it cannot be one."""
    text = _SEPARATORS.sub("", (typed or "")[:40]).upper().translate(_READ_AS)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def code_for(session: Session, token: str, doc_type: str, document_id: str) -> str:
    """The code of ``token``: the one it has, or a new one. Documents are rendered on GET
    requests, whose session only reads (SQLite cannot turn a read transaction into a write one
    while other writers commit: eight print stations downloading at once would fail), so a new
    code is written on a write session of its own and committed at once (core/requests.py
    lists this exception); a code for a signed token is harmless if the request then fails."""
    existing = _stored(session, token)
    if existing is not None:
        return existing
    if not (has_request_context() and request.method in SAFE_METHODS):
        return _store(session, token, doc_type, document_id)
    with get_db().session() as writer:
        code = _store(writer, token, doc_type, document_id)
        writer.commit()
    return code


def _stored(session: Session, token: str) -> str | None:
    return session.scalars(
        select(VerificationCode.code).where(VerificationCode.token == token)
    ).first()


def _store(session: Session, token: str, doc_type: str, document_id: str) -> str:
    """A new row for ``token`` (a concurrent request that stored one first, or a code drawn
    twice, is caught by the unique indexes and answered again)."""
    for _try in range(_TRIES):
        fresh = VerificationCode(
            code=new_code(),
            token=token,
            doc_type=doc_type,
            document_id=document_id,
            created_at=clock.now(),
        )
        try:
            with session.begin_nested():
                session.add(fresh)
        except IntegrityError:
            existing = _stored(session, token)
            if existing is not None:
                return existing
            continue
        return fresh.code
    raise RuntimeError("could not store a verification code")  # pragma: no cover


def get_code(session: Session, typed: str | None) -> VerificationCode | None:
    """The stored code that ``typed`` reads as, if there is one."""
    code = normalise(typed)
    if code is None:
        return None
    return session.scalars(select(VerificationCode).where(VerificationCode.code == code)).first()


def signed(session: Session, data):
    """``data`` ready to print: signed with the current key, its QR's URL and the short code
    printed beside it. A document that has a URL already keeps it (and its token's code)."""
    if data.verification_url:
        token = signing.token_from_url(data.verification_url)
    else:
        token = signing.sign(data, signing_key())
        data = dataclasses.replace(
            data, verification_url=public_url("certificates.verify", token=token)
        )
    code = code_for(session, token, data.DOC_TYPE, data.document_id)
    return dataclasses.replace(data, short_code=display(code))
