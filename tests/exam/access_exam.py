"""Access classification of the exam pages and API (see tests/test_access.py)."""

from ujisim.core.security import Role

APPLICANT = {Role.APPLICANT}

PROTECTED = {
    "exam.index": ("GET", "/ujian/", APPLICANT),
    "exam.start": ("POST", "/ujian/mulai", APPLICANT, 303),  # no bank here: a clear refusal
    "exam.sit": ("GET", "/ujian/{attempt}", APPLICANT, 404),  # somebody else's attempt
    "exam.begin": ("POST", "/ujian/{attempt}/begin", APPLICANT, 404),
    "exam.media": ("GET", "/ujian/{attempt}/media/0.svg", APPLICANT, 404),
    "exam.speech": ("GET", "/ujian/{attempt}/suara/0", APPLICANT, 404),
    "exam.result": ("GET", "/ujian/{attempt}/hasil", APPLICANT, 404),
    "exam_api.paper": ("GET", "/api/v1/exam/attempts/{attempt}", APPLICANT, 404),
    "exam_api.save_answer": ("POST", "/api/v1/exam/attempts/{attempt}/answers", APPLICANT, 404),
    "exam_api.open_question": ("POST", "/api/v1/exam/attempts/{attempt}/open", APPLICANT, 404),
    "exam_api.submit": ("POST", "/api/v1/exam/attempts/{attempt}/submit", APPLICANT, 404),
    "exam_api.clip_part": ("GET", "/api/v1/exam/attempts/{attempt}/clips", APPLICANT, 404),
    "exam_api.start_clip": ("POST", "/api/v1/exam/attempts/{attempt}/clips/start", APPLICANT, 404),
    "exam_api.save_clip_clicks": (
        "POST",
        "/api/v1/exam/attempts/{attempt}/clips/clicks",
        APPLICANT,
        404,
    ),
    "exam_examiner.index": ("GET", "/examiner/exams/", {Role.EXAMINER}),
    "exam_examiner.detail": ("GET", "/examiner/exams/{attempt}", {Role.EXAMINER}),
    # a created attempt cannot be regraded: a clear refusal, nothing changes
    "exam_examiner.regrade": ("POST", "/examiner/exams/{attempt}/regrade", {Role.EXAMINER}, 303),
    "exam_examiner.void": ("POST", "/examiner/exams/{attempt}/void", {Role.EXAMINER}, 303),
    "exam_admin.index": ("GET", "/admin/exam/", {Role.ADMIN}),
    "exam_admin.new_blueprint": ("POST", "/admin/exam/blueprint/A", {Role.ADMIN}, 422),
    "exam_admin.add_holiday": ("POST", "/admin/exam/holidays", {Role.ADMIN}, 422),
    "exam_admin.delete_holiday": ("POST", "/admin/exam/holidays/999999/delete", {Role.ADMIN}, 404),
}
# the OpenAPI document of the JSON API (public, like the print API's)
PUBLIC = {"exam_api.openapi_document"}


def url_args(db, make_user, name):
    """``{attempt}``: an attempt of another applicant (so every allowed role still gets 404)."""
    from datetime import date

    from tests.exam.conftest import make_items
    from ujisim.exam import attempts, policy
    from ujisim.question_bank import services

    if name != "attempt":
        return None
    services.import_contents(db, make_items(per_category=12))
    owner = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
    return attempts.create_attempt(db, owner, policy.current_blueprint(db, "A")).public_id
