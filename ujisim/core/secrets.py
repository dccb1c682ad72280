"""Deployment secrets: the Flask key and the Ed25519 signing key.

Read from the environment in production; otherwise generated into ``instance/`` on first run
with mode 0600. Two gunicorn workers may start at once, so a file is created atomically
(written to a temporary name, then hard-linked into place; the loser reads the winner's file).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app


def load_or_create(path: Path, make) -> bytes:
    """Return the file's bytes, creating it with ``make()`` (mode 0600) if it does not exist."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(make())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def _new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class SigningKey:
    """The deployment's Ed25519 key with a short key id (for rotation)."""

    def __init__(self, pem: bytes):
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("UJISIM_SIGNING_KEY must be an Ed25519 private key in PEM")
        self.private_key = key
        self.public_key: Ed25519PublicKey = key.public_key()
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        #: first 8 hex digits of sha256 over the raw public key
        self.key_id = hashlib.sha256(raw).hexdigest()[:8]

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self.public_key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def init_app(app: Flask) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create(
            instance / "secret_key", lambda: secrets.token_hex(32).encode()
        ).decode()
    pem = app.config.get("SIGNING_KEY_PEM")
    pem_bytes = (
        pem.encode() if pem else load_or_create(instance / "signing_key.pem", _new_signing_key)
    )
    app.extensions["ujisim.signing_key"] = SigningKey(pem_bytes)


def signing_key() -> SigningKey:
    return current_app.extensions["ujisim.signing_key"]
