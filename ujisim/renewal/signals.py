"""What renewal tells the domains above it (certificates connects in its ``init_app``).

Signals are synchronous: a receiver runs inside the sender's transaction, on the ``session``
it is given. Two of them are questions as well as news: the receiver's return value (blinker
hands it back from ``send``) is the answer, read with :func:`answer`."""

from blinker import Namespace

_signals = Namespace()

#: an approval issued a licence card (``card``, a ``core.documents.CardData``): sender the new
#: licence, with ``session=``, ``card=``, ``actor=``; the receiver queues the card's print job
#: and returns it (the delivery order and the audit record name it)
card_issued = _signals.signal("renewal.card_issued")
#: an officer asks for the shipping label of a courier order: sender the ``LabelData``; the
#: receiver returns the A6 PDF
label_wanted = _signals.signal("renewal.label_wanted")


def answer(results: list[tuple[object, object]]):
    """The one answer of a question signal's receivers (an error if none answered)."""
    answers = [value for _receiver, value in results if value is not None]
    if len(answers) != 1:
        raise RuntimeError(f"expected one answer from the receivers, got {len(answers)}")
    return answers[0]
