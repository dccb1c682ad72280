"""One workflow engine: every status field of every model moves through ``advance``.

A ``Workflow`` is data: the model, its status field and the states it takes, the table of allowed
moves (``(from, to) -> verb``), the event-row model if the model keeps a transition log, and the
audit naming. The domain registers its own hooks on its own workflow (stamping ``started_at``,
giving back paused time, queueing the holder's e-mail); the engine does the rest, in one order:

    check the table -> hooks (``before`` every move, then ``on_enter[to]``) -> set the field
    -> event row -> flush -> audit record ``<audit_prefix>.<verb>`` -> ``after`` hooks

A refused move raises ``IllegalTransition`` before anything is written (a hook that refuses does
so before it changes anything). Nothing else assigns a status: tests/core/test_workflow.py scans
the package's source for such assignments and checks that every status column has a table; each
domain's tests walk its tables pair by pair (tests/workflow_walk.py).

A workflow is found from the object's class and the enum of the state asked for, so a model with
two status fields (a renewal's ``state`` and ``identity_status``) has two workflows and one call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from ujisim.core import audit, clock
from ujisim.core.db import UTCDateTime
from ujisim.core.errors import IllegalTransition


@dataclass
class Move:
    """One move being made: what hooks, event builders and audit data see."""

    workflow: Workflow
    obj: Any
    from_state: enum.StrEnum
    to: enum.StrEnum
    verb: str
    actor: Any
    reason: str
    at: datetime
    #: the caller's extra keywords (a print job's holder, a delivery event's source, ...)
    context: dict[str, Any]


Hook = Callable[[Session, Move], object]


def _default_audit_data(move: Move) -> dict:
    return {"from": move.from_state, "to": move.to, "reason": move.reason}


@dataclass(eq=False)
class Workflow:
    """The transition table of one status field, and what a move writes besides the field."""

    model: type
    field: str
    states: type[enum.StrEnum]
    #: (from, to) -> verb; every other pair is refused
    transitions: Mapping[tuple[enum.StrEnum, enum.StrEnum], str]
    #: the audit record's ``object_type``
    object_type: str
    #: audit action ``<prefix>.<verb>``; None: no audit record (a job's bookkeeping, e.g. a mail
    #: sent or a snapshot analysed, recorded in its own row and not worth a link in the chain)
    audit_prefix: str | None = None
    #: the transition-log model (an ``EventMixin``), or None when the audit chain is the log
    event: type | None = None
    #: verbs that write neither event row nor audit record: moves that follow another
    #: workflow's move in the same call, which records them (an item's status after its version)
    quiet: frozenset[str] = frozenset()
    #: the message of a refused move, ``refusal(from, to)``
    refusal: Callable[[str, str], str] | None = None
    before: list[Hook] = field(default_factory=list)
    on_enter: dict[enum.StrEnum, list[Hook]] = field(default_factory=dict)
    after: list[Hook] = field(default_factory=list)
    #: the audit action; default ``<audit_prefix>.<verb>``
    audit_action: Callable[[Move], str] | None = None
    audit_data: Callable[[Move], dict] = _default_audit_data
    audit_actor: Callable[[Move], Any] = lambda move: move.actor
    audit_object_id: Callable[[Any], Any] = lambda obj: obj.public_id
    #: extra columns of the event row from the move (a delivery event's source, ...)
    event_fields: Callable[[Move], dict] = lambda move: {}

    def refuse(self, from_state, to) -> IllegalTransition:
        """The refusal of a move, naming both states in the user's words (``name_states``)."""
        name = STATE_NAMES.get(self.states, str)
        a, b = name(from_state), name(to)
        if self.refusal is not None:
            return IllegalTransition(self.refusal(a, b))
        return IllegalTransition(_("This record cannot go from %(a)s to %(b)s.", a=a, b=b))

    def on(self, state: enum.StrEnum | None = None):
        """Decorator: register ``hook(session, move)`` run before the field is set, on entering
        ``state`` (or on every move when ``state`` is None)."""

        def register(hook: Hook) -> Hook:
            if state is None:
                self.before.append(hook)
            else:
                self.on_enter.setdefault(self.states(state), []).append(hook)
            return hook

        return register


#: (model, states enum) -> its workflow
REGISTRY: dict[tuple[type, type], Workflow] = {}
#: states enum -> how a state reads to people, in their language (a refused move names both)
STATE_NAMES: dict[type, Callable[[str], str]] = {}


def name_states(
    states: type[enum.StrEnum], names: Mapping[str, Any] | Callable[[str], str]
) -> None:
    """Say how the states of ``states`` read, by a function or a mapping of labels (each
    domain's labels module, for its enums): a refusal then says "from Paid to Rejected", not
    "from paid to rejected". A state without a label reads as its code."""
    if isinstance(names, Mapping):
        STATE_NAMES[states] = lambda state: str(names.get(state, state))
    else:
        STATE_NAMES[states] = lambda state: str(names(state))


def register(workflow: Workflow) -> Workflow:
    """Add ``workflow`` to the registry (each domain at import of its module)."""
    key = (workflow.model, workflow.states)
    if key in REGISTRY and REGISTRY[key] is not workflow:
        raise RuntimeError(f"two workflows for {workflow.model.__name__}.{workflow.field}")
    REGISTRY[key] = workflow
    return workflow


def workflow_of(obj_or_model, states: type) -> Workflow:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return REGISTRY[(model, states)]
    except KeyError:
        raise LookupError(f"no workflow for {model.__name__} in {states.__name__}") from None


def advance(
    session: Session, obj, to: enum.StrEnum, actor=None, reason: str = "", **context
) -> Any:
    """Move ``obj``'s status field (the one whose states ``to`` belongs to) to ``to`` if the
    table allows it: run the domain's hooks, set the field, write the event row and the audit
    record. Raises ``IllegalTransition`` (nothing written) for a move the table refuses; a hook
    may refuse one too, before anything is set. Returns ``obj``."""
    workflow = workflow_of(obj, type(to))
    current = workflow.states(getattr(obj, workflow.field))
    verb = workflow.transitions.get((current, to))
    if verb is None:
        raise workflow.refuse(current, to)
    move = Move(workflow, obj, current, to, verb, actor, reason or "", clock.now(), context)
    for hook in (*workflow.before, *workflow.on_enter.get(to, ())):
        hook(session, move)
    setattr(obj, workflow.field, to)
    recorded = verb not in workflow.quiet
    if workflow.event is not None and recorded:
        session.add(workflow.event.for_move(move))
    session.flush()
    if workflow.audit_prefix is not None and recorded:
        action = workflow.audit_action
        audit.record(
            session,
            action(move) if action else f"{workflow.audit_prefix}.{verb}",
            actor=workflow.audit_actor(move),
            object_type=workflow.object_type,
            object_id=workflow.audit_object_id(obj),
            data=workflow.audit_data(move),
        )
    for hook in workflow.after:
        hook(session, move)
    return obj


class EventMixin:
    """The columns every transition-log row has, for the event models (exam attempts, renewal
    applications, delivery orders, item reviews). Each model keeps its own table and columns:
    ``state_length`` and the nullability flags say what its table has, ``owner_key`` names its
    foreign key to the object that moved, ``reason_column`` what its table calls the reason."""

    state_length: ClassVar[int] = 20
    from_nullable: ClassVar[bool] = True
    to_nullable: ClassVar[bool] = False
    owner_key: ClassVar[str]
    reason_column: ClassVar[str] = "reason"

    @declared_attr
    def from_state(cls) -> Mapped[str | None]:
        return mapped_column(String(cls.state_length), nullable=cls.from_nullable)

    @declared_attr
    def to_state(cls) -> Mapped[str | None]:
        return mapped_column(String(cls.state_length), nullable=cls.to_nullable)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def reason(cls) -> Mapped[str]:
        return mapped_column(cls.reason_column, Text, default="", nullable=False)

    @declared_attr
    def at(cls) -> Mapped[datetime]:
        return mapped_column(UTCDateTime, nullable=False)

    @classmethod
    def for_move(cls, move: Move):
        """The event row of ``move``."""
        fields = {
            cls.owner_key: move.obj.id,
            "from_state": move.from_state,
            "to_state": move.to,
            "actor_id": getattr(move.actor, "id", None),
            "reason": move.reason,
            "at": move.at,
        }
        return cls(**(fields | move.workflow.event_fields(move)))
