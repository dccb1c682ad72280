"""What the exam tells the domains above it (they connect in their ``init_app``).

Signals are synchronous: a receiver runs inside the sender's transaction, on the ``session``
it is given, so what it writes commits or rolls back with the grade."""

from blinker import Namespace

_signals = Namespace()

#: a grade made a new pass record (``record``): sender the attempt, with ``session=``
passed = _signals.signal("exam.passed")
