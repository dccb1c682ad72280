"""The licence classes this platform examines and renews (Perpol 5/2021 as amended).

SIM C is split by engine size: C (up to 250 cc), C I (250-500 cc) and C II (over 500 cc; electric
motorcycles by equivalent power). C I and C II are issued since 2024 (C I launched in May 2024,
kompas.tv 28 May 2024). Their written test is the C test, so their papers are drawn from the C
question set; the practical test differs. C I needs a SIM C held at least 12 months, C II a SIM
C I held at least 12 months (the upgrade rule; the registry above us answers it through
``exam.signals.admission_wanted``). Minimum ages (Perpol 5/2021 Pasal 8): 17 for A and C, 18
for C I, 19 for C II.

The registry's codes are ``C1`` and ``C2``; people read "C I" and "C II".
"""

from __future__ import annotations

#: the classes an official theory exam is held for, in the order they are offered
CLASSES = ("A", "C", "C1", "C2")
#: the question set (question_bank item class) each class's paper is drawn from
BANK_CLASS = {"A": "A", "C": "C", "C1": "C", "C2": "C"}
#: the minimum age of each class (a new blueprint's default)
MIN_AGE = {"A": 17, "C": 17, "C1": 18, "C2": 19}
#: the class a candidate must have held (and for how many months) before sitting this one
UPGRADE_FROM = {"C1": ("C", 12), "C2": ("C1", 12)}
#: how a class is written for people
LABELS = {"C1": "C I", "C2": "C II"}


def bank_class(vehicle_class: str) -> str:
    """The question set a class's paper is drawn from (C I and C II sit the C test)."""
    return BANK_CLASS.get(vehicle_class, vehicle_class)


def label(vehicle_class: str) -> str:
    """``C1`` -> ``C I``; other classes as they are."""
    return LABELS.get(vehicle_class, vehicle_class)
