"""Notification channels beside e-mail (SMS, WhatsApp): a one-method interface, a registry chosen
by configuration (``UJISIM_NOTIFY_CHANNEL``, like the providers of providers.py) and the bundled
sandbox, which records each text in a table shown on the admin sandbox page instead of reaching
a phone. A real gateway registers its own class in ``CHANNELS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import current_app

from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.renewal.errors import ChannelError
from ujisim.renewal.models import SandboxMessage


class Channel(Protocol):
    name: str
    #: shown to admins (a sandbox says so)
    label: str
    sandbox: bool

    def send(self, to: str, text: str) -> None:
        """Deliver ``text`` to the mobile number ``to``; ChannelError when it cannot."""


CHANNELS: dict[str, Callable[[], Channel]] = {}


def channel(name: str | None = None) -> Channel | None:
    """The configured channel, or None (``none``: e-mail only)."""
    name = name or current_app.config.get("NOTIFY_CHANNEL", "sandbox")
    if name == "none":
        return None
    return CHANNELS[name]()


class SandboxChannel:
    """Records every text in ``renewal_sandbox_message`` (in the caller's transaction, so a text
    is on record exactly when its reminder is). Numbers listed in ``UJISIM_NOTIFY_SANDBOX_FAIL``
    are unreachable, to try a failed delivery and its retry."""

    name = "sandbox"
    label = "SANDBOX"
    sandbox = True

    def send(self, to: str, text: str) -> None:
        unreachable = {
            n.strip() for n in current_app.config.get("NOTIFY_SANDBOX_FAIL", "").split(",")
        }
        if to in unreachable:
            raise ChannelError(f"sandbox: {to} is unreachable")
        session = get_session()
        session.add(SandboxMessage(to=to, text=text, created_at=clock.now()))
        session.flush()


CHANNELS["sandbox"] = SandboxChannel
