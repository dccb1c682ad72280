"""How print jobs read to people, in their language: their kind and their state (the codes stay
in the database and the API); the workflow engine names a job's states with them too."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ujisim.certificates.models import JobKind, JobState
from ujisim.core import workflow

KIND_LABELS = {JobKind.CERTIFICATE: _l("Certificate"), JobKind.CARD: _l("Licence card")}
STATE_LABELS = {
    JobState.READY: _l("Ready"),
    JobState.CLAIMED: _l("Claimed"),
    JobState.PRINTED: _l("Printed"),
    JobState.FAILED: _l("Failed"),
}
workflow.name_states(JobState, STATE_LABELS)
