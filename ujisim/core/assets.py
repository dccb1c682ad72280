"""What a slow phone downloads (issue 20, point 7): static files under versioned URLs that the
browser keeps for a year, and responses compressed on the way out.

- ``url_for("static", filename=...)`` carries ``?v=`` and the first 12 hex digits of the file's
  sha256; a static response asked for with that version is cached for a year (``immutable``: not
  even revalidated on a reload), anything else is revalidated each time (``no-cache`` with its
  ETag), so a changed file is fetched at once under its new URL.
- Flask-Compress compresses CSS, JavaScript, JSON and SVG (zstd, brotli or gzip, as the browser
  accepts). HTML pages are left as they are: they carry the CSRF token next to text a visitor can
  put in (a search, a form sent back with errors), which compression would let an attacker read
  by the size of the responses (BREACH); they are small anyway.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, request
from flask_compress import Compress

#: what is compressed (HTML deliberately not: see the module docstring)
COMPRESSED = [
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
#: a versioned static file: one year, never revalidated
LONG = "public, max-age=31536000, immutable"

compress = Compress()


@lru_cache(maxsize=256)
def _version(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def file_version(app: Flask, filename: str) -> str | None:
    """The short hash of a static file's content (None when there is no such file)."""
    path = os.path.join(app.static_folder or "", filename)
    try:
        return _version(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    compress.init_app(app)

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = file_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_static(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        if wanted and wanted == file_version(app, filename):
            response.headers["Cache-Control"] = LONG
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
