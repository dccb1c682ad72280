"""What accounts asks and tells the domains above it (they connect in their ``init_app``).

Synchronous: a receiver runs in the deleting transaction, on the ``session`` it is given."""

from blinker import Namespace

_signals = Namespace()

#: may this account be deleted now? sender the user, with ``session=``; a receiver answers
#: with the reason (translated) it cannot go yet, or None (an exam or a renewal still open)
deletion_requested = _signals.signal("accounts.deletion_requested")
#: the account goes (no receiver objected): sender the user, with ``session=``; a receiver
#: removes what the database cascades cannot reach (personal data copied elsewhere, such as a
#: card print job's photo) before the account's rows go
account_deleting = _signals.signal("accounts.account_deleting")
