"""The publish gate as a deployment configures it (``BANK_*`` settings and the blueprints in
force), for every place that publishes: the examiner's publish page, ``flask bank``, the seed."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ujisim.question_bank.lint import CLIPS, Gate, Rules, rules_from
from ujisim.question_bank.models import CLASSES
from ujisim.question_bank.practice_mock import DEFAULT_SHAPE, mock_shape


def pool_counts(session: Session) -> dict[str, dict[str, int]]:
    """Class -> category -> items an official paper draws now (the default blueprint on a
    database not yet migrated, e.g. ``flask bank lint`` on a fresh checkout)."""
    if not inspect(session.connection()).has_table("exam_blueprint"):
        return {c: {str(k): n for k, n in DEFAULT_SHAPE.counts.items()} for c in CLASSES}
    counts = {}
    for cls in CLASSES:
        shape = mock_shape(session, cls)
        counts[cls] = {str(k): n for k, n in shape.counts.items()}
        if shape.clips:
            counts[cls][CLIPS] = shape.clips
    return counts


def rules(config: Mapping) -> Rules:
    """The lint rules of this deployment (``BANK_LINT_RULES``: JSON, or a mapping in tests)."""
    overrides = config.get("BANK_LINT_RULES")
    return rules_from(json.loads(overrides) if isinstance(overrides, str) else overrides)


def from_config(session: Session, config: Mapping) -> Gate:
    """The gate of this deployment: reserved share, lint rules, pool size and, in production,
    no demo items in the official pool."""
    return Gate(
        min_reserved=config["BANK_MIN_RESERVED"],
        rules=rules(config),
        pool_counts=pool_counts(session),
        refuse_demo=config["UJISIM_ENV"] == "production",
    )
