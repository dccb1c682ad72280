"""Signed tokens for printed documents, short enough for a QR code.

A token is ``base64url(payload) "." base64url(signature)`` (no padding). The payload is binary so
the token stays short (about 170 characters for a 26-character document id):

    version (1 byte) | key id (4 bytes) | document type (1 byte) | sha256 of the canonical data
    (32 bytes) | document id (UTF-8, at most 64 bytes)

The signature is Ed25519 over a domain tag and the payload, made with the deployment's key
(``ujisim.core.secrets.SigningKey``). The key id inside picks the public key on verification, so
keys can rotate: a token signed with an old key verifies while its public key is still listed.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ujisim.core.documents import Document
from ujisim.core.secrets import SigningKey

VERSION = 1
#: prefixed to the payload before signing so a signature made here means nothing elsewhere
DOMAIN = b"ujisim/document-token/v1\x00"
TYPE_CODES = {"certificate": 1, "card": 2, "label": 3}
TYPE_NAMES = {code: name for name, code in TYPE_CODES.items()}
MAX_DOCUMENT_ID = 64
MAX_TOKEN = 400
_HEADER = 1 + 4 + 1 + 32
_SIGNATURE = 64
_B64 = re.compile(r"[A-Za-z0-9_-]+")
#: fields that are not part of the signed data (the URL carries the token itself, the short
#: code stands for it)
UNSIGNED_FIELDS = frozenset({"verification_url", "short_code"})
#: fields signed only when set, so tokens made before they existed still verify
SIGNED_WHEN_SET = frozenset({"serial", "office"})


def _json_value(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bytes):
        # images are bound by their digest; the token stays the same size whatever the photo
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int):
        return value
    raise TypeError(f"cannot put {type(value).__name__} into canonical JSON")


def canonical_json(data: Document) -> bytes:
    """The document's signed data as canonical JSON: sorted keys, no spaces, UTF-8, NFC strings,
    dates in ISO 8601, image bytes as their sha256; the document type is included."""
    fields = {
        f.name: _json_value(getattr(data, f.name))
        for f in dataclasses.fields(data)
        if f.name not in UNSIGNED_FIELDS
        and not (f.name in SIGNED_WHEN_SET and getattr(data, f.name) is None)
    }
    fields["_type"] = data.DOC_TYPE
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def data_hash(data: Document) -> bytes:
    return hashlib.sha256(canonical_json(data)).digest()


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key id ``SigningKey`` gives the same key: 8 hex digits of sha256 of the raw key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def public_keys(*keys: SigningKey | Ed25519PublicKey) -> dict[str, Ed25519PublicKey]:
    """The ``{key id: public key}`` mapping ``verify`` takes, from current and retired keys."""
    result = {}
    for key in keys:
        public = key.public_key if isinstance(key, SigningKey) else key
        result[key_id(public)] = public
    return result


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Strict base64url without padding; ``None`` unless ``text`` is the canonical encoding."""
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # unused trailing bits would let two strings carry the same bytes
    return raw if _b64encode(raw) == text else None


@dataclass(frozen=True, slots=True)
class Payload:
    """What a token says: which key signed it, which document, and the hash of its data."""

    version: int
    key_id: str
    doc_type: str
    document_id: str
    #: sha256 of the canonical data, hex
    data_hash: str

    def matches(self, data: Document) -> bool:
        """Whether ``data`` is the document this token was made for."""
        return (
            data.DOC_TYPE == self.doc_type
            and data.document_id == self.document_id
            and data_hash(data).hex() == self.data_hash
        )


@dataclass(frozen=True, slots=True)
class Verified:
    """The answer of ``verify``. ``reason`` is ``valid``, ``malformed``, ``unsupported_version``,
    ``unknown_key``, ``bad_signature`` or ``data_mismatch``. ``payload`` is set only when the
    signature checked out (a payload nobody signed is not worth showing)."""

    valid: bool
    reason: str
    payload: Payload | None = None


def _pack(data: Document, kid: str) -> bytes:
    document_id = data.document_id.encode()
    if not 0 < len(document_id) <= MAX_DOCUMENT_ID:
        raise ValueError(f"document id must be 1-{MAX_DOCUMENT_ID} bytes")
    return (
        bytes([VERSION])
        + bytes.fromhex(kid)
        + bytes([TYPE_CODES[data.DOC_TYPE]])
        + data_hash(data)
        + document_id
    )


def _unpack(raw: bytes) -> Payload | None:
    if len(raw) <= _HEADER or len(raw) > _HEADER + MAX_DOCUMENT_ID:
        return None
    doc_type = TYPE_NAMES.get(raw[5])
    try:
        document_id = raw[_HEADER:].decode()
    except UnicodeDecodeError:
        return None
    if doc_type is None:
        return None
    return Payload(raw[0], raw[1:5].hex(), doc_type, document_id, raw[6:_HEADER].hex())


def claimed_type(token: str) -> str | None:
    """The document type a token says it is for, without checking its signature: only for
    naming the kind of document on a page that refuses the token (a tampered card's QR is still
    a card's), never for trusting anything in it."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        return None
    raw = _b64decode(token.split(".")[0])
    payload = _unpack(raw) if raw else None
    return payload.doc_type if payload is not None else None


def sign(data: Document, key: SigningKey) -> str:
    """A compact token binding ``data`` (its type, id and canonical data) to ``key``."""
    payload = _pack(data, key.key_id)
    return f"{_b64encode(payload)}.{_b64encode(key.sign(DOMAIN + payload))}"


def verify(token: str, keys: dict[str, Ed25519PublicKey], data: Document | None = None) -> Verified:
    """Check a token against the known public keys (current and retired, by key id).

    Refuses malformed or truncated tokens, unknown key ids and bad signatures (so any change to
    the payload). With ``data``, also checks the token was made for exactly that data.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        return Verified(False, "malformed")
    encoded_payload, encoded_signature = token.split(".")
    raw = _b64decode(encoded_payload)
    signature = _b64decode(encoded_signature)
    if raw is None or signature is None or len(signature) != _SIGNATURE:
        return Verified(False, "malformed")
    if raw[0] != VERSION:
        return Verified(False, "unsupported_version")
    payload = _unpack(raw)
    if payload is None:
        return Verified(False, "malformed")
    public = keys.get(payload.key_id)
    if public is None:
        return Verified(False, "unknown_key")
    try:
        public.verify(signature, DOMAIN + raw)
    except InvalidSignature:
        return Verified(False, "bad_signature")
    if data is not None and not payload.matches(data):
        return Verified(False, "data_mismatch", payload)
    return Verified(True, "valid", payload)


def verify_url(base_url: str, token: str) -> str:
    """``https://host/verify`` + token -> ``https://host/verify/<token>`` (the QR's content)."""
    return f"{base_url.rstrip('/')}/{token}"


def token_from_url(url: str) -> str:
    """The token at the end of a verification URL (what a QR scan gives back)."""
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]


def with_verification(data: Document, key: SigningKey, base_url: str) -> Document:
    """``data`` with its ``verification_url`` filled in from a fresh token."""
    return dataclasses.replace(data, verification_url=verify_url(base_url, sign(data, key)))
