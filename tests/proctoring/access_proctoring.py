"""Access classification of the proctoring pages and API (see tests/test_access.py)."""

from ujisim.core.security import Role

APPLICANT = {Role.APPLICANT}
EXAMINER = {Role.EXAMINER}
API = "/api/v1/proctoring"

PROTECTED = {
    "proctoring.consent_page": ("GET", "/pengawasan/persetujuan", APPLICANT),
    # no choice sent: taken as "I do not agree", which leads to the Satpas page
    "proctoring.give_consent": ("POST", "/pengawasan/persetujuan", APPLICANT, 302),
    "proctoring.satpas": ("GET", "/pengawasan/di-satpas", APPLICANT),
    "proctoring.photo": ("GET", "/pengawasan/foto", APPLICANT),
    "proctoring.upload_photo": ("POST", "/pengawasan/foto", APPLICANT, 303),  # no file: refused
    # somebody else's attempt or check: 404 for every allowed role
    "proctoring.check": ("GET", "/pengawasan/ujian/{attempt}/cek", APPLICANT, 404),
    "proctoring_api.camera_check": (
        "POST",
        f"{API}/attempts/{{attempt}}/camera-check",
        APPLICANT,
        404,
    ),
    "proctoring_api.new_check": ("POST", f"{API}/attempts/{{attempt}}/checks", APPLICANT, 404),
    "proctoring_api.check_frames": ("POST", f"{API}/checks/{{check}}/frames", APPLICANT, 404),
    "proctoring_api.snapshot": ("POST", f"{API}/attempts/{{attempt}}/snapshots", APPLICANT, 404),
    "proctoring_api.event": ("POST", f"{API}/attempts/{{attempt}}/events", APPLICANT, 404),
    "proctoring_api.status": ("GET", f"{API}/attempts/{{attempt}}/status", APPLICANT, 404),
    "proctoring_examiner.queue": ("GET", "/examiner/proctoring/", EXAMINER),
    "proctoring_examiner.case": ("GET", "/examiner/proctoring/{proctored}", EXAMINER),
    # no verdict chosen: a clear refusal, nothing changes
    "proctoring_examiner.verdict": (
        "POST",
        "/examiner/proctoring/{proctored}/verdict",
        EXAMINER,
        303,
    ),
}
# the OpenAPI document of the JSON API (public, like the print API's)
PUBLIC = {"proctoring_api.openapi_document"}


def url_args(db, make_user, name):
    """``{proctored}``: another applicant's attempt with a proctoring case; ``{check}``: an
    identity check of that case."""
    if name not in ("proctored", "check"):
        return None
    from tests.exam.access_exam import url_args as exam_url_args
    from ujisim.exam import attempts
    from ujisim.proctoring import checks

    attempt = attempts.get_attempt(db, exam_url_args(db, make_user, "attempt"))
    case = checks.ensure_case(db, attempt)
    if name == "proctored":
        return attempt.public_id
    from ujisim.core import clock
    from ujisim.proctoring.models import IdentityCheck

    check = IdentityCheck(
        case_id=case.id,
        round=0,
        try_number=1,
        challenge_json='["left","right"]',
        issued_at=clock.now(),
        tolerance=0.6,
    )
    db.add(check)
    db.flush()
    return check.public_id
