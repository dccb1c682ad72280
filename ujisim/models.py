"""Every domain's models, so that ``metadata`` is complete (Alembic, tests)."""

import ujisim.proctoring.models  # noqa: F401 (registers the proctoring tables)
import ujisim.renewal.models  # noqa: F401 (registers the renewal tables)
from ujisim.accounts.models import User, UserRole
from ujisim.certificates.models import PrintJob, PrintStation  # noqa: F401
from ujisim.core.audit import AuditHead, AuditRecord
from ujisim.core.db import Base
from ujisim.core.mail import OutboxMessage
from ujisim.core.ratelimits import RateLimitCounter  # noqa: F401 (rate limits without Redis)
from ujisim.core.speech import SpeechAudio  # noqa: F401 (questions read aloud by the server)
from ujisim.core.storage import StoredFile
from ujisim.exam.models import (
    AnswerStep,
    Attempt,
    AttemptEvent,
    ExamBlueprint,
    Grade,
    Holiday,
    ItemExposure,
    PassRecord,
    PositionOpen,
)
from ujisim.exam.stats_models import FormStat, ItemStat, StatsInclusion
from ujisim.question_bank.models import (
    BankVersion,
    BankVersionItem,
    Item,
    ItemVersion,
    PracticeAnswer,
    ReviewEvent,
)

metadata = Base.metadata

__all__ = [
    "AnswerStep",
    "Attempt",
    "AttemptEvent",
    "AuditHead",
    "AuditRecord",
    "BankVersion",
    "BankVersionItem",
    "ExamBlueprint",
    "FormStat",
    "Grade",
    "Holiday",
    "Item",
    "ItemExposure",
    "ItemStat",
    "ItemVersion",
    "OutboxMessage",
    "PassRecord",
    "PositionOpen",
    "PracticeAnswer",
    "ReviewEvent",
    "StatsInclusion",
    "StoredFile",
    "User",
    "UserRole",
    "metadata",
]
