"""How proctoring's codes read on the examiners' pages (a template filter; the codes stay in the
database and in the data- attributes, the words are in the examiner's language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ujisim.core import workflow
from ujisim.proctoring.models import Decision, IdentityStatus, ObservationStatus, ReviewStatus

#: every code a proctoring page shows: decisions, check reasons and frame findings, browser
#: events, challenge movements, statuses and verdicts
LABELS = {
    # a try's decision, a snapshot's analysis, a case's identity status
    "pending": _l("pending"),
    "passed": _l("passed"),
    "failed": _l("failed"),
    "escalated": _l("sent to an examiner"),
    "cleared": _l("cleared by an examiner"),
    "recorded": _l("recorded"),
    "done": _l("analysed"),
    # what a frame shows, why a try failed
    "ok": _l("the candidate, alone"),
    "no_face": _l("no face"),
    "several_faces": _l("several faces"),
    "looking_away": _l("looking away"),
    "different_person": _l("a different person"),
    "frozen": _l("the same picture again"),
    "still": _l("no movement (a still picture)"),
    "missing_action": _l("the asked movement was not made"),
    "unrequested_action": _l("a movement that was not asked"),
    "not_frontal": _l("not facing the camera"),
    "action_timing": _l("the movement came too early or too late"),
    "too_few_frames": _l("too few frames"),
    "timing": _l("frames timed wrongly"),
    "duplicate_frames": _l("the same frame twice"),
    "mirrored_frames": _l("mirrored frames"),
    "discontinuous": _l("frames not from one recording"),
    "expired": _l("sent too late"),
    # browser events (and what triggered a snapshot)
    "interval": _l("regular snapshot"),
    "tab_hidden": _l("left the exam tab"),
    "window_blur": _l("left the browser window"),
    "fullscreen_exit": _l("left full screen"),
    "copy": _l("copied text"),
    "paste": _l("pasted text"),
    "camera_ended": _l("camera stopped"),
    "reload": _l("reloaded the page"),
    # events the server adds: a failed identity try, a camera that stopped sending
    "failed_identity": _l("identity try failed (face)"),
    "failed_liveness": _l("identity try failed (liveness)"),
    "snapshots_stopped": _l("snapshots stopped arriving"),
    # the movements of an identity check's challenge
    "turn_left": _l("turn left"),
    "turn_right": _l("turn right"),
    "look_up": _l("look up"),
    "blink": _l("close the eyes"),
    "mouth": _l("open the mouth"),
    # where the reference photo came from
    "registration": _l("uploaded by the candidate"),
    "licence": _l("licence record"),
    # a case's review
    "none": _l("nothing to review"),
    "open": _l("waiting for an examiner"),
    "voided": _l("exam voided"),
    # verdicts
    "clear": _l("clear"),
    "void": _l("void the exam"),
    "second_review": _l("second review"),
}


def proctor_label(code: str | None) -> str:
    """``tab_hidden`` -> "left the exam tab" (in the page's language); an unknown code as is."""
    return str(LABELS.get(code, code or ""))


for _states in (Decision, IdentityStatus, ObservationStatus, ReviewStatus):
    workflow.name_states(_states, proctor_label)
