"""Official papers of the shipped bank, as a candidate meets them over HTTP: reserved items only,
no two items of one enemy group, pictures that name nothing, and a candidate who knows the rules
(an answer sheet of the keys) scores full marks."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.exam.test_api import post_json, start_exam
from ujisim.core.security import Role
from ujisim.exam import attempts
from ujisim.exam.models import Attempt
from ujisim.question_bank import gate, services
from ujisim.question_bank.content import load_dir
from ujisim.question_bank.media import render_media
from ujisim.question_bank.media.signs import SIGNS


@pytest.fixture
def shipped_bank(app, db):
    """The shipped bank, published through the gate a deployment runs."""
    result = services.import_contents(db, load_dir()[0], gate=gate.from_config(db, app.config))
    db.commit()
    return result.bank_version


@pytest.fixture
def candidate(client, make_user, shipped_bank, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    return user


@pytest.mark.parametrize("cls", ["A", "C"])
def test_a_paper_holds_reserved_items_of_distinct_groups_and_unnamed_pictures(
    client, db, candidate, cls
):
    attempt = start_exam(client, db, cls)
    versions = attempts.paper_versions(db, attempt)
    assert len(versions) == 30
    assert not [v.item.code for v in versions if v.practice]
    groups = [v.enemy_group for v in versions if v.enemy_group]
    assert len(groups) == len(set(groups))
    body = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()
    for question, version in zip(body["questions"], versions, strict=True):
        if not version.media:
            continue
        svg = client.get(question["media"]).get_data(as_text=True)
        assert not re.search(r"<title|aria-label|<desc", svg)
        media = version.media
        name = SIGNS[media["sign"]].name_id if "sign" in media else media["scene"]["title"]
        assert name not in svg
        assert version.item.code not in svg + question["media"]
        if "sign" in media:  # the same drawing that practice shows with its name
            named = render_media(media, cls)
            assert "<title>" in named
            assert re.sub(r' aria-label="[^"]*"|<title>[^<]*</title>', "", named) == svg


def test_a_candidate_who_knows_every_key_scores_full_marks(client, db, candidate):
    attempt = start_exam(client, db, "A")
    url = f"/api/v1/exam/attempts/{attempt.public_id}"
    for seq, (entry, version) in enumerate(
        zip(attempt.paper, attempts.paper_versions(db, attempt), strict=True), 1
    ):
        choice = entry["o"].index(version.key_index)  # the key as shown on this paper
        saved = post_json(client, f"{url}/answers", {"position": seq - 1, "choice": choice,
                                                     "seq": seq})  # fmt: skip
        assert saved.status_code == 200
    done = post_json(client, f"{url}/submit", {})
    assert done.get_json()["state"] == "graded"
    graded = db.scalars(select(Attempt).where(Attempt.id == attempt.id)).one()
    db.refresh(graded)
    assert (graded.score, graded.passed) == (30, True)
