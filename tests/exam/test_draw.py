"""The draw: blueprint counts, topic strata, exposure, unseen items, seeded shuffles."""

import random
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from ujisim.core.security import Role
from ujisim.exam import attempts, draw, policy
from ujisim.exam.errors import BankEmpty
from ujisim.exam.models import ItemExposure
from ujisim.question_bank.models import ItemVersion

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def categories(db, paper):
    versions = {v.id: v for v in db.scalars(select(ItemVersion))}
    return [versions[e["v"]] for e in paper]


def exposure(db) -> dict[int, int]:
    return dict(db.execute(select(ItemExposure.item_id, ItemExposure.count)).all())


@pytest.fixture
def blueprint(db):
    return policy.current_blueprint(db, "A")


def test_paper_follows_the_blueprint(db, bank, blueprint, candidate):
    paper = draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank,
                            seed="s1")  # fmt: skip
    versions = categories(db, paper)
    assert Counter(v.category for v in versions) == blueprint.counts
    assert len({v.item_id for v in versions}) == 30
    for entry, version in zip(paper, versions, strict=True):
        assert sorted(entry["o"]) == list(range(len(version.options)))


def test_topics_are_proportional(db, bank, blueprint, candidate):
    paper = draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank,
                            seed="s2")  # fmt: skip
    topics = Counter((v.category, v.topic) for v in categories(db, paper))
    # wawasan: 20 items over 3 topics (7, 7, 6) -> 9 drawn as 3 + 3 + 3
    assert [topics[("wawasan", t)] for t in ("perilaku_etika", "keadaan_darurat", "kecepatan")] == [
        3,
        3,
        3,
    ]
    # persepsi_bahaya: 10 + 10 -> 12 drawn as 6 + 6
    assert topics[("persepsi_bahaya", "perilaku_etika")] == 6


def test_quotas_largest_remainder():
    rng = random.Random(1)
    assert draw.quotas({"a": 10, "b": 5, "c": 5}, 8, rng) == {"a": 4, "b": 2, "c": 2}
    assert sum(draw.quotas({"a": 7, "b": 7, "c": 6}, 9, rng).values()) == 9
    assert draw.quotas({"a": 2, "b": 1}, 5, rng) == {"a": 2, "b": 1}


def test_same_seed_and_state_give_the_same_paper(db, bank, blueprint, candidate):
    kwargs = dict(user_id=candidate.id, blueprint=blueprint, bank=bank, seed="same")
    nested = db.begin_nested()
    first = draw.draw_paper(db, **kwargs)
    nested.rollback()
    assert exposure(db) == {}
    second = draw.draw_paper(db, **kwargs)
    assert first == second
    assert sum(exposure(db).values()) == 30
    assert draw.draw_paper(db, **dict(kwargs, seed="other")) != second


def test_least_exposed_items_are_preferred(db, bank, blueprint, make_user):
    one = draw.draw_paper(db, user_id=make_user().id, blueprint=blueprint, bank=bank,
                          seed="x")  # fmt: skip
    two = draw.draw_paper(db, user_id=make_user().id, blueprint=blueprint, bank=bank,
                          seed="x")  # fmt: skip
    # 20 items per category and 12/9/9 needed: the second paper takes the 8/11/11 unused first,
    # so only 4 hazard items repeat.
    overlap = {e["v"] for e in one} & {e["v"] for e in two}
    assert len(overlap) == 12 - 8
    assert {v.category for v in categories(db, [{"v": v} for v in overlap])} == {"persepsi_bahaya"}


def test_a_start_reads_the_exposure_with_its_admission(db, bank, make_user):
    """The start path reads the exposure in the admission's query (draw.exposure_column), not
    on its own: the second start still takes the items the first left unused."""
    papers = []
    for _ in range(2):
        user = make_user(Role.APPLICANT, date_of_birth=date(2000, 1, 1))
        admission = policy.admit(db, user, "A")
        assert admission.exposure_read is not None or not papers  # empty table before the first
        attempt = attempts.create_attempt(db, user, admission.blueprint, None, admission)
        papers.append({e["v"] for e in attempt.paper})
    assert sum(exposure(db).values()) == 60
    assert len(papers[0] & papers[1]) == 12 - 8  # as test_least_exposed_items_are_preferred


def test_previous_papers_are_avoided(db, bank, started, candidate):
    started_items = {e["v"] for e in started.paper}
    blueprint = policy.current_blueprint(db, "A")
    # other candidates have drawn the unseen items far more often: unseen still comes first
    for v in db.scalars(select(ItemVersion)):
        if v.id not in started_items:
            db.merge(ItemExposure(item_id=v.item_id, count=50))
    db.flush()
    paper = draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank,
                            seed="again")  # fmt: skip
    # Hazard items: 20 in the bank, 12 seen -> only 8 fresh < 12, so seen ones are allowed;
    # wawasan/pengetahuan: 11 fresh >= 9, so none of the seen ones.
    versions = categories(db, paper)
    for category in ("wawasan", "pengetahuan"):
        assert not {v.id for v in versions if v.category == category} & started_items
    # ... but every one of the 8 fresh hazard items is on the paper, the 4 others seen ones
    hazard = {v.id for v in db.scalars(select(ItemVersion)) if v.category == "persepsi_bahaya"}
    drawn = {v.id for v in versions if v.category == "persepsi_bahaya"}
    assert len(hazard - started_items) == 8
    assert hazard - started_items <= drawn
    assert len(drawn & started_items) == 4


def test_an_item_edited_since_counts_as_seen(db, started, candidate):
    """Earlier papers name item versions; a newer version of the same item is the same
    question, so the candidate has seen it (the lookup goes through the item, not the map)."""
    versions = {v.id: v.item_id for v in db.scalars(select(ItemVersion))}
    on_paper = {versions[e["v"]] for e in started.paper}
    assert draw.seen_items(db, candidate.id, {}) == on_paper


def test_too_small_a_bank_is_refused(db, blueprint, candidate):
    from tests.exam.conftest import make_items
    from ujisim.question_bank import services

    result = services.import_contents(db, make_items(per_category=5))
    with pytest.raises(BankEmpty):
        draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint,
                        bank=result.bank_version, seed="s")  # fmt: skip


def test_render_paper_is_reproducible(db, started, runner):
    text = attempts.render_paper(db, started)
    assert text == attempts.render_paper(db, started)
    result = runner.invoke(args=["exam", "render", started.public_id])
    assert result.exit_code == 0
    assert result.output == text
    assert text.count("\n1. [") == 1
    assert "30. [" in text


# -- the official pool: reserved items only, enemy groups, the demo set -----------------------


def import_bank(db, items):
    from ujisim.question_bank import services

    bank = services.import_contents(db, items).bank_version
    db.commit()
    return bank


def mixed_items():
    """The reserved test bank plus as many practice items (their keys are public)."""
    from dataclasses import replace

    from tests.exam.conftest import make_items

    practice = [
        replace(i, code=f"{i.code[:2]}-{500 + n}", stem=f"{i.stem} (latihan)")
        for n, i in enumerate(make_items(practice=True))
    ]
    return make_items() + practice


def test_an_official_paper_holds_reserved_items_only(db, blueprint, candidate):
    bank = import_bank(db, mixed_items())
    for n in range(20):
        paper = draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank,
                                seed=f"r{n}")  # fmt: skip
        assert not any(v.practice for v in categories(db, paper))


def test_a_configured_practice_share_takes_that_share_from_practice(db, blueprint, candidate):
    bank = import_bank(db, mixed_items())
    paper = draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank,
                            seed="share", practice_share=1 / 3)  # fmt: skip
    versions = categories(db, paper)
    practice = Counter(v.category for v in versions if v.practice)
    assert practice == {"persepsi_bahaya": 4, "wawasan": 3, "pengetahuan": 3}
    assert len(versions) == 30


def grouped(items, size: int):
    """Items of each category put in enemy groups of ``size`` (in code order)."""
    from dataclasses import replace

    out = []
    for n, item in enumerate(items):
        out.append(replace(item, group=f"{item.category}-{n // size}"))
    return out


def test_no_paper_holds_two_items_of_one_enemy_group(db, blueprint, make_user):
    from tests.exam.conftest import make_items

    # 30 items a category in pairs: 15 groups, and a paper takes up to 12 of a category
    bank = import_bank(db, grouped(make_items(per_category=30), 2))
    user = make_user(Role.APPLICANT)
    for n in range(40):
        paper = draw.draw_paper(db, user_id=user.id, blueprint=blueprint, bank=bank,
                                seed=f"g{n}")  # fmt: skip
        groups = [v.enemy_group for v in categories(db, paper)]
        assert len(groups) == 30
        assert len(set(groups)) == 30, groups


def test_enemies_that_leave_too_few_items_refuse_the_draw(db, blueprint, candidate, caplog):
    from tests.exam.conftest import make_items

    # 20 wawasan items in groups of 4: only 5 can share a paper, and a paper needs 9
    items = make_items()
    wawasan = grouped([i for i in items if i.category == "wawasan"], 4)
    bank = import_bank(db, [i for i in items if i.category != "wawasan"] + wawasan)
    with caplog.at_level("ERROR", logger="ujisim.exam.draw"), pytest.raises(BankEmpty):
        draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank, seed="few")
    assert "20 reserved wawasan items (5 without two of one enemy group)" in caplog.text


def test_production_refuses_to_draw_the_demo_set(db, blueprint, candidate, caplog):
    from dataclasses import replace

    from tests.exam.conftest import make_items

    bank = import_bank(db, [replace(i, demo=True) for i in make_items()])
    draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank, seed="dev")
    with caplog.at_level("ERROR", logger="ujisim.exam.draw"), pytest.raises(BankEmpty):
        draw.draw_paper(db, user_id=candidate.id, blueprint=blueprint, bank=bank, seed="prod",
                        refuse_demo=True)  # fmt: skip
    assert "reserved items of the public demo set" in caplog.text


def test_a_start_in_production_refuses_the_demo_set(app, db, candidate):
    from dataclasses import replace

    from tests.exam.conftest import make_items

    import_bank(db, [replace(i, demo=True) for i in make_items()])
    app.config["UJISIM_ENV"] = "production"
    blueprint = policy.check_eligibility(db, candidate, "A")
    with pytest.raises(BankEmpty):
        attempts.create_attempt(db, candidate, blueprint)
