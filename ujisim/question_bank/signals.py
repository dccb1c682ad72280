"""What the question bank asks the domains above it (they connect in their ``init_app``)."""

from blinker import Namespace

_signals = Namespace()

#: what does the official paper of a class look like now (practice's mock exam copies it)?
#: sender the class (``"A"``, ``"C"``), with ``session=``; the exam answers with a
#: ``practice_mock.MockShape`` (none answering: the official defaults)
mock_shape_wanted = _signals.signal("question_bank.mock_shape_wanted")
