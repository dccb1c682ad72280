"""Proctoring applies to the exam's clip part (issue 21, point 6): the clip page of a proctored
attempt carries the webcam widget (snapshots at the interval and on browser events) and its
warnings, as the questions page does; a paused exam takes no clip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _test_config
from tests.exam.conftest import make_items
from tests.question_bank.test_clip_practice import CLIP_FILE
from ujisim.core.security import Role
from ujisim.exam import attempts, policy
from ujisim.exam.models import AttemptState
from ujisim.proctoring import checks
from ujisim.question_bank import services
from ujisim.question_bank.content import load_file


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, PROCTOR_REQUIRED=True, EXAM_CLIPS=2)


@pytest.fixture
def proctored(client, db, login, frozen_clock):
    clip = load_file(CLIP_FILE)[0][0][0]
    reserved = [replace(clip, code=f"KA-9{n}0", practice=False, stem=f"Jalan {n}") for n in (1, 2)]
    services.import_contents(db, [*make_items(), *reserved])
    user = login(Role.APPLICANT)
    attempt = attempts.create_attempt(db, user, policy.current_blueprint(db, "A"))
    attempts.advance(db, attempt, AttemptState.STARTED, user)
    checks.ensure_case(db, attempt)
    db.commit()
    return attempt


def test_the_clip_page_of_a_proctored_exam_carries_the_webcam_widget(client, proctored):
    page = client.get(f"/ujian/{proctored.public_id}").get_data(as_text=True)
    assert 'id="clip-start"' in page
    assert 'id="proctor"' in page
    assert "js/proctor.js" in page
    assert 'id="proctor-warning"' in page  # the warnings where the candidate looks
