"""The satisfaction survey (Survei Kepuasan Masyarakat) shown before payment, as the SINAR app
does, and its results in the examiners' service report (through the exam report's signal).

The nine elements and the index follow PermenPAN-RB No. 14 Tahun 2017 (Pedoman Penyusunan
Survei Kepuasan Masyarakat): each element (U1-U9) is answered on a scale of 1 (not good) to 4
(very good); the element's mean (NRR, nilai rata-rata) is the sum of its answers over their
count; the index is the weighted sum of the nine means with the weight 1/9 (0,111) each, and the
IKM on the 25-100 scale is that index times 25 (the conversion value, "nilai dasar" 25). Here
every answer is optional, so the index is the mean of the element means that have answers (with
all nine answered it is exactly the regulation's sum with weight 1/9). Grades of the service
(mutu pelayanan) by the converted value: A 88,31-100 (very good), B 76,61-88,30 (good),
C 65,00-76,60 (not good), D 25,00-64,99 (poor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock
from ujisim.core.errors import IllegalTransition
from ujisim.exam import reports
from ujisim.renewal.application import lock_application
from ujisim.renewal.models import AppState, RenewalApplication, SurveyResponse

#: (column, element of PermenPAN-RB 14/2017, the question asked)
ELEMENTS = (
    ("requirements", _l("Requirements"), _l("How suitable are the requirements for the service?")),
    (
        "procedure",
        _l("Procedure"),
        _l("How easy is the procedure (the steps of the online renewal)?"),
    ),
    ("duration", _l("Time"), _l("How quick is the service so far?")),
    ("cost", _l("Cost"), _l("How fair and clear are the fees?")),
    (
        "product",
        _l("Product"),
        _l("How well does the service match what was promised (the renewed SIM)?"),
    ),
    ("competence", _l("Staff competence"), _l("How competent are the staff who serve you?")),
    ("behaviour", _l("Staff behaviour"), _l("How polite and friendly are the staff?")),
    (
        "complaints",
        _l("Complaint handling"),
        _l("How well are complaints, suggestions and feedback handled?"),
    ),
    ("facilities", _l("Facilities"), _l("How good are the facilities (this website, the app)?")),
)
NAMES = tuple(name for name, _label, _question in ELEMENTS)
#: the answers of the 1-4 scale
SCALE = (
    (1, _l("Not good")),
    (2, _l("Fair")),
    (3, _l("Good")),
    (4, _l("Very good")),
)
#: where the survey may be answered: before payment (the payment step)
OPEN_STATES = (AppState.PAYMENT,)
#: the IKM grades (mutu pelayanan) by the lowest converted value of each
GRADES = (
    (88.31, "A", _l("very good")),
    (76.61, "B", _l("good")),
    (65.00, "C", _l("not good")),
    (25.00, "D", _l("poor")),
)


def parse_answers(form) -> dict[str, int | None]:
    """The answers of a submitted form: each element 1-4, anything else (none, garbage) left
    out; the survey is optional, so nothing here is refused."""
    answers: dict[str, int | None] = {}
    for name in NAMES:
        value = (form.get(name) or "").strip()
        answers[name] = int(value) if value in ("1", "2", "3", "4") else None
    return answers


def get_response(session: Session, application: RenewalApplication) -> SurveyResponse | None:
    return session.scalars(
        select(SurveyResponse).where(SurveyResponse.application_id == application.id)
    ).first()


def record_response(
    session: Session,
    application: RenewalApplication,
    answers: dict[str, int | None],
    actor,
    *,
    skipped: bool = False,
) -> tuple[SurveyResponse, bool]:
    """Keep the holder's answers (or that they skipped): once per application. A second tab or
    a double submit finds the first response and keeps it: (response, False). IllegalTransition
    (409) once the application is past the payment step."""
    application = lock_application(session, application)
    existing = get_response(session, application)
    if existing is not None:
        return existing, False
    if application.state not in OPEN_STATES:
        raise IllegalTransition(_("The survey of this application is closed."))
    values = {} if skipped else {n: answers.get(n) for n in NAMES if answers.get(n) in (1, 2, 3, 4)}
    response = SurveyResponse(
        application_id=application.id,
        skipped=skipped or not values,
        created_at=clock.now(),
        **values,
    )
    session.add(response)
    session.flush()
    audit.record(
        session,
        "renewal.survey",
        actor=actor,
        object_type="renewal",
        object_id=application.public_id,
        data={"skipped": response.skipped, "answered": sorted(values)},
    )
    return response, True


@dataclass(frozen=True)
class ElementResult:
    name: str
    label: str
    count: int
    #: NRR: the mean of the element's answers (None without answers)
    mean: float | None


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    skipped: int
    elements: list[ElementResult]
    #: the IKM on the 25-100 scale (None without any answer)
    ikm: float | None

    @property
    def grade(self) -> tuple[str, str] | None:
        if self.ikm is None:
            return None
        for low, letter, label in GRADES:
            if self.ikm >= low:
                return letter, str(label)
        return GRADES[-1][1], str(GRADES[-1][2])


def results(session: Session, start: datetime, end: datetime) -> SurveyResults:
    """The survey responses given from ``start`` to ``end`` (UTC): per element the count of
    answers and their mean (NRR), and the IKM (module docstring)."""
    period = (SurveyResponse.created_at >= start, SurveyResponse.created_at < end)
    columns = [getattr(SurveyResponse, name) for name in NAMES]
    row = session.execute(
        select(
            func.count(SurveyResponse.id),
            func.count(SurveyResponse.id).filter(SurveyResponse.skipped.is_(True)),
            *(func.count(c) for c in columns),
            *(func.sum(c) for c in columns),
        ).where(*period)
    ).one()
    total, skipped = row[0], row[1]
    counts, sums = row[2 : 2 + len(NAMES)], row[2 + len(NAMES) :]
    elements = [
        ElementResult(name, str(label), count, (total_ / count) if count else None)
        for (name, label, _q), count, total_ in zip(ELEMENTS, counts, sums, strict=True)
    ]
    means = [e.mean for e in elements if e.mean is not None]
    ikm = 25 * sum(means) / len(means) if means else None
    return SurveyResults(total or 0, skipped or 0, elements, ikm)


def survey_table(session: Session, start: datetime, end: datetime) -> reports.Table:
    """The survey's results as a table of the service report."""
    found = results(session, start, end)
    rows = [
        [
            f"U{n}. {e.label}",
            str(e.count),
            "–" if e.mean is None else f"{e.mean:.2f}",
        ]
        for n, e in enumerate(found.elements, 1)
    ]
    if found.ikm is None:
        index = _("no answers in this period")
    else:
        letter, label = found.grade
        index = _(
            "%(ikm)s (grade %(letter)s, %(label)s)",
            ikm=f"{found.ikm:.2f}",
            letter=letter,
            label=label,
        )
    return reports.Table(
        caption=_("Satisfaction survey (IKM)"),
        columns=[_("Element"), _("Answers"), _("Mean (1-4)")],
        rows=rows,
        notes=[
            _(
                "Responses: %(n)s, of which skipped: %(skipped)s.",
                n=found.responses,
                skipped=found.skipped,
            ),
            _("IKM (25-100): %(index)s", index=index),
            _(
                "PermenPAN-RB 14/2017: IKM = 25 × Σ (mean of each element × 1/9); the answers "
                "are optional, so the means of the answered elements are averaged."
            ),
        ],
    )


def tables(_sender) -> list[reports.Source]:
    """``exam.signals.report_tables``: the survey results."""
    return [reports.Source("survey", _l("Satisfaction survey (IKM)"), survey_table)]
