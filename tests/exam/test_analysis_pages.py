"""The item analysis page: form statistics, charts, every flag linked to the item's review."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select

from tests.exam.conftest import answer_all
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.exam.stats_models import ItemStat

SVG = re.compile(r"<svg .*?</svg>", re.S)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STATS_MIN_RESPONSES": 2}


@pytest.fixture
def graded(db, bank, make_user, frozen_clock):
    """Three SIM A exams: everyone right on positions 0-19, wrong on 20-29."""
    for _ in range(3):
        user = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
        attempt = attempts.create_attempt(db, user, policy.current_blueprint(db, "A"))
        attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
        db.commit()
        answer_all(db, attempt, 20)
        grading.submit(db, attempt, user)
        db.commit()


def test_page_shows_forms_charts_and_linked_flags(client, login, graded):
    login(Role.EXAMINER)
    page = client.get("/examiner/analysis/").get_data(as_text=True)
    charts = SVG.findall(page)
    assert len(charts) == 2  # the score distribution of SIM A v1 and the scatter
    for svg in charts:
        root = ET.fromstring(svg)  # noqa: S314 (our own markup)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # each flag is a link to the item's review page
    flagged = re.findall(r'<ul class="flags"><li><a href="/examiner/items/([A-Z]{2}-\d{3})"', page)
    assert flagged
    assert client.get(f"/examiner/items/{flagged[0]}").status_code == 200
    assert "20.00" in page  # the mean score of the form


def test_flagged_only_and_scope(client, db, login, graded):
    login(Role.EXAMINER)
    everything = client.get("/examiner/analysis/?scope=A").get_data(as_text=True)
    flagged = client.get("/examiner/analysis/?scope=A&flagged=1").get_data(as_text=True)
    rows = db.scalars(select(ItemStat).where(ItemStat.scope == "A")).all()
    n_flagged = sum(1 for r in rows if r.flags)
    unflagged_row = re.compile(r'<tr>\s*<td><a href="/examiner/items/')
    assert everything.count('<tr class="flagged">') == n_flagged
    assert len(unflagged_row.findall(everything)) == len(rows) - n_flagged
    assert flagged.count('<tr class="flagged">') == n_flagged
    assert unflagged_row.findall(flagged) == []
    nothing = client.get("/examiner/analysis/?scope=C").get_data(as_text=True)
    assert '<table id="items">' not in nothing  # nobody sat SIM C


def test_recompute_button(client, db, login, graded):
    login(Role.EXAMINER)
    db.execute(ItemStat.__table__.delete())
    db.commit()
    response = client.submit("/examiner/analysis/recompute")
    assert response.status_code == 303
    assert db.scalars(select(ItemStat)).first() is not None  # the job ran (eager in tests)


def test_no_data_yet(client, login):
    login(Role.EXAMINER)
    page = client.get("/examiner/analysis/").get_data(as_text=True)
    assert len(SVG.findall(page)) == 1  # the empty scatter says there is nothing yet
