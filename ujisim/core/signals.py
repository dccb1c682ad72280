"""What core asks the domains above it (they connect in their ``init_app``), and how a question
signal's answers are read.

Core knows neither exams nor renewals, so the separation of duties (``core/duties.py``) asks
them. Signals are synchronous: a receiver runs on the ``session`` it is given. The receivers'
return values are the answers (blinker hands them back from ``send`` as ``[(receiver,
value)]``), in no defined order: :func:`answers` puts them in a stable one."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: whose is an object (the people who may not act on it as staff)? sender a model class, with
#: ``session=`` and ``obj=`` (an instance of it or of a subclass): the receiver, connected with
#: ``sender=`` its model, answers with a ``duties.Subject``
subject_wanted = _signals.signal("core.subject_wanted")
#: what of a user's own is still going on (an exam, a renewal)? sender the user, with
#: ``session=``; a receiver answers with a ``duties.OpenBusiness`` or None
open_business_wanted = _signals.signal("core.open_business_wanted")


def _receiver_key(receiver) -> tuple[str, str]:
    return getattr(receiver, "__module__", "") or "", getattr(receiver, "__qualname__", "")


def answers(results: list[tuple[object, object]]) -> list:
    """The answers (neither None nor empty) of a question signal's receivers, ordered by the
    receiver's module and name: blinker calls receivers in the order of a set, and a user
    should not see reasons or refusals change order from one process to the next."""
    return [value for _r, value in sorted(results, key=lambda r: _receiver_key(r[0])) if value]


def at_most_one(results: list[tuple[object, object]]):
    """The one answer of a question signal's receivers, None if none answered (an error if
    more than one did: two domains cannot both own the answer)."""
    found = answers(results)
    if len(found) > 1:
        raise RuntimeError(f"expected at most one answer from the receivers, got {len(found)}")
    return found[0] if found else None
