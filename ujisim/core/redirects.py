"""The one check of every ``next`` target the site redirects to after a form or a login.

A browser reads a Location header leniently: it drops tabs and newlines anywhere in a URL and
treats a backslash like a slash, so ``/\\t/evil.example`` and ``/\\\\evil.example`` both lead to
another host. Only a plain path on this site is accepted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: the longest ``next`` kept (a path on this site is short)
MAX_LENGTH = 512


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: no scheme, no host, not ``//``, no
    backslash, no control character or whitespace (which a browser may drop or a header may not
    carry), at most MAX_LENGTH characters."""
    if not target or len(target) > MAX_LENGTH or not target.startswith("/"):
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
