"""What the exam tells, and asks, the domains above it (they connect in their ``init_app``).

Signals are synchronous: a receiver runs inside the sender's transaction, on the ``session``
it is given, so what it writes commits or rolls back with the grade. Some are questions: the
receivers' return values (blinker hands them back from ``send`` as ``[(receiver, value)]``)
are the answers."""

from blinker import Namespace

_signals = Namespace()

#: a grade made a new pass record (``record``): sender the attempt, with ``session=``
passed = _signals.signal("exam.passed")

#: a candidate asks to start an attempt still ``created``: sender the attempt, with
#: ``session=``; a receiver answers with the ``UjisimError`` that refuses the start, or None
#: (proctoring: consent, photo and identity check first). ``attempts.begin`` raises the first.
begin_requested = _signals.signal("exam.begin_requested")

#: a candidate asks to sit the exam of a class (sender the class code, with ``session=``,
#: ``user=`` and ``today=``, the candidate's local date); a receiver answers with the
#: ``exam.errors.NotEligible`` that refuses it, or None (renewal's registry: the upgrade rule
#: of C I and C II). ``policy.admit`` raises the first.
admission_wanted = _signals.signal("exam.admission_wanted")

#: the examiners' report asks for its sources (sender None); each receiver answers with a list
#: of ``reports.Source``, filling in a placeholder of the report by its name or adding one:
#: pending queues, ``fn(session) -> QueueStatus``
report_queues = _signals.signal("exam.report_queues")
#: per-day count columns, ``fn(session, start_utc, end_utc, zone) -> {local day: count}``
report_daily_counts = _signals.signal("exam.report_daily_counts")
#: families of rates for the charts, ``fn(session, start_utc, end_utc) -> {label: rate}``
report_rates = _signals.signal("exam.report_rates")
#: groupings of the pass rate, ``fn(session, start, end, zone) -> {group: [(day, rate)]}``
report_groupings = _signals.signal("exam.report_groupings")
#: the service report's ratings, ``fn(session, start_utc, end_utc) -> reports.Ratings``
report_ratings = _signals.signal("exam.report_ratings")
#: tables of the service report below the figures (renewal: the satisfaction survey),
#: ``fn(session, start_utc, end_utc) -> reports.Table``
report_tables = _signals.signal("exam.report_tables")
