"""Practice mode pages: study by topic, quick practice, mock exam and weak topics.

Anyone may practise; a logged-in applicant's answers are kept (PracticeAnswer) for the weak-topic
page. Questions come from the latest published bank; grading happens here, never in the browser.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie  # the signed cookie: `session` is the database's
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.core.i18n import page_language
from ujisim.core.security import Role, role_required
from ujisim.question_bank import practice_mock
from ujisim.question_bank import practice_services as practice
from ujisim.question_bank.errors import PaperClosed, PracticeInputError
from ujisim.question_bank.labels import CLASS_LABELS
from ujisim.question_bank.models import TOPICS, PracticeMode

bp = Blueprint("practice", __name__, url_prefix="/latihan")

CLASS = "<any(A, C):vehicle_class>"
TOPICS_PER_PAGE = 20
#: session keys: the mock paper in progress and the last graded one (signed cookie)
MOCK_KEY = "practice_mock"
RESULT_KEY = "practice_mock_result"


@bp.context_processor
def _labels() -> dict:
    return {
        "letters": "ABCD",
        "keeps_history": _keeps_history(),
        # the items in the pages' language (an item without it in Bahasa Indonesia)
        "lang": page_language(),
    }


def _keeps_history() -> bool:
    """Answers are stored for logged-in applicants only (they alone see the weak-topic page)."""
    return current_user.is_authenticated and current_user.has_any_role(Role.APPLICANT)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _topic_or_404(topic: str) -> str:
    if topic and topic not in TOPICS:
        abort(404)
    return topic


@bp.get("/")
def index():
    """Choose SIM A or C and a mode."""
    session = get_session()
    paper = practice_mock.load_mock_paper(session, cookie.get(MOCK_KEY))
    shapes = {cls: practice_mock.mock_shape(session, cls) for cls in CLASS_LABELS}
    return render_template(
        "question_bank/practice/index.html", classes=CLASS_LABELS, paper=paper, shapes=shapes
    )


# -- study by topic ---------------------------------------------------------------------------


@bp.get(f"/{CLASS}/topik")
def topics(vehicle_class: str):
    versions = practice.published_pool(get_session(), vehicle_class)
    return render_template(
        "question_bank/practice/topics.html",
        cls=vehicle_class,
        counts=practice.topic_counts(versions),
        total=len(versions),
    )


@bp.get(f"/{CLASS}/topik/<topic>")
def topic(vehicle_class: str, topic: str):
    """Every item of a topic with its key, explanation and legal basis, a page at a time."""
    _topic_or_404(topic)
    items = practice.topic_items(practice.published_pool(get_session(), vehicle_class), topic)
    pages = max(1, -(-len(items) // TOPICS_PER_PAGE))
    page = request.args.get("halaman", 1, type=int)
    if not items or not 1 <= page <= pages:
        abort(404)
    start = (page - 1) * TOPICS_PER_PAGE
    return render_template(
        "question_bank/practice/topic.html",
        cls=vehicle_class,
        topic=topic,
        items=items[start : start + TOPICS_PER_PAGE],
        first_number=start + 1,
        total=len(items),
        page=page,
        pages=pages,
    )


# -- quick practice ---------------------------------------------------------------------------


def _render_quick(quick, token: str, versions=None, **extra):
    """The question form, or (with ``chosen`` and ``correct``) the feedback on the answer."""
    counts = practice.topic_counts(versions) if versions else []
    return render_template(
        "question_bank/practice/quick.html",
        quick=quick,
        question=quick.question,
        cls=quick.vehicle_class,
        token=token,
        counts=counts,
        **extra,
    )


@bp.get(f"/{CLASS}/cepat")
def quick(vehicle_class: str):
    """A random question (of the chosen topic), options shuffled, its mapping in a signed token."""
    topic = _topic_or_404(request.args.get("topik", ""))
    versions = practice.published_pool(get_session(), vehicle_class)
    quick = practice.new_quick_question(
        versions, vehicle_class, topic=topic, exclude=request.args.get("kecuali", type=int)
    )
    return _render_quick(quick, practice.sign_question(quick, _secret()), versions)


@bp.post("/cepat/jawab")
def quick_answer():
    """Grade the chosen option on the server and show the feedback."""
    session = get_session()
    token = request.form.get("token", "")
    quick = practice.read_question(session, token, _secret())
    try:
        position = practice.parse_choice(request.form.get("choice"), quick.question)
    except PracticeInputError as exc:
        return _render_quick(quick, token, error=exc.message), 422
    if _keeps_history():
        practice.record_answers(
            session,
            current_user,
            [(quick.question, position)],
            mode=PracticeMode.QUICK,
            vehicle_class=quick.vehicle_class,
            paper_ref=quick.ref,
        )
    return _render_quick(quick, token, chosen=position, correct=quick.question.is_correct(position))


# -- mock exam --------------------------------------------------------------------------------


@bp.get(f"/{CLASS}/simulasi")
def mock(vehicle_class: str):
    """What the mock exam is, and a button to start one (or continue the open one)."""
    session = get_session()
    paper = practice_mock.load_mock_paper(session, cookie.get(MOCK_KEY))
    shape = practice_mock.mock_shape(session, vehicle_class)
    return render_template(
        "question_bank/practice/mock_start.html", cls=vehicle_class, paper=paper, shape=shape
    )


@bp.post("/simulasi/mulai")
def mock_start():
    vehicle_class = request.form.get("kelas", "")
    if vehicle_class not in CLASS_LABELS:
        raise PracticeInputError(_("Choose SIM A or SIM C."))
    paper = practice_mock.start_mock_paper(get_session(), vehicle_class)
    cookie[MOCK_KEY] = paper.to_data()
    return redirect(url_for(".mock_paper"))


@bp.get("/simulasi/kerjakan")
def mock_paper():
    """The open paper: every question in one form; practice.js shows one per screen."""
    paper = practice_mock.load_mock_paper(get_session(), cookie.get(MOCK_KEY))
    if paper is None:
        flash(_("There is no mock exam in progress. Start a new one."), "info")
        return redirect(url_for(".index"))
    # The server's clock decides how long is left; the browser only counts down from it.
    seconds_left = max(0, int((paper.deadline - clock.now()).total_seconds()))
    return render_template(
        "question_bank/practice/mock_paper.html", paper=paper, seconds_left=seconds_left
    )


@bp.post("/simulasi/selesai")
def mock_submit():
    session = get_session()
    ref = request.form.get("ref", "")
    paper = practice_mock.load_mock_paper(session, cookie.get(MOCK_KEY))
    if paper is None or paper.ref != ref:
        if (cookie.get(RESULT_KEY) or {}).get("r") == ref:
            return redirect(url_for(".mock_result"))  # the same form sent again
        raise PaperClosed(
            _(
                "This mock exam is no longer open: it was already submitted or a newer one was "
                "started. Nothing was saved."
            )
        )
    answers = practice_mock.parse_mock_answers(request.form, paper)
    user = current_user if _keeps_history() else None
    result = practice_mock.submit_mock_paper(session, paper, answers, user=user)
    cookie.pop(MOCK_KEY, None)
    cookie[RESULT_KEY] = result.to_data()
    return redirect(url_for(".mock_result"))


@bp.get("/simulasi/hasil")
def mock_result():
    """Score per category, pass or fail, and every question with its key and explanation."""
    result = practice_mock.load_mock_result(get_session(), cookie.get(RESULT_KEY))
    if result is None:
        flash(_("There is no graded mock exam to show. Start a new one."), "info")
        return redirect(url_for(".index"))
    return render_template("question_bank/practice/mock_result.html", result=result)


# -- weak topics ------------------------------------------------------------------------------


@bp.get("/topik-lemah")
@role_required(Role.APPLICANT)
def weak_topics():
    stats = practice.query_weak_topics(get_session(), current_user)
    by_class = {cls: [s for s in stats if s.vehicle_class == cls] for cls in CLASS_LABELS}
    return render_template(
        "question_bank/practice/weak_topics.html",
        by_class={cls: rows for cls, rows in by_class.items() if rows},
    )
