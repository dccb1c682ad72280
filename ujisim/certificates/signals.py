"""What the print queue tells whoever waits for prints (connected in ``certificates.init_app``).

Synchronous: a receiver runs in the transaction that marked the job, on the ``session`` given,
and must be idempotent (a job may be marked printed again by its holder)."""

from blinker import Namespace

_signals = Namespace()

#: a job was marked printed: sender the ``PrintJob``, with ``session=``
job_printed = _signals.signal("certificates.job_printed")
#: a job moved in the print queue (claimed, released, printed, failed, reprint): sender the
#: ``PrintJob``, with ``session=`` and ``move=`` (the ``core.workflow.Move``)
job_moved = _signals.signal("certificates.job_moved")
