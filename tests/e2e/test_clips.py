"""Hazard-perception clips in real Chromium (issue 21): a candidate watches a practice clip on a
phone and on a laptop, clicks, and gets the score a hand-computed table gives for the clicks the
page recorded; a rhythmic clicker scores 0 and is told why; the browser's player and the
server's timeline agree; the same clip draws the same frames."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll, watched_page
from tests.question_bank.test_clip_practice import CLIP_FILE
from ujisim.core.db import get_session
from ujisim.question_bank.content import is_clip, load_dir, load_file
from ujisim.question_bank.media.clip_package import package
from ujisim.question_bank.media.clip_timeline import Timeline
from ujisim.question_bank.services import get_item, import_contents

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: the test clip's window, 7.0..10.0 s, cut by hand into fifths of 600 ms
WINDOW_MS = (7000, 10000)


def reference_points(clicks: list[int]) -> int:
    """DVSA scoring by hand: the first click in the window, 5 points in its first fifth down to
    1 in its last."""
    start, end = WINDOW_MS
    inside = [c for c in clicks if start <= c <= end]
    if not inside:
        return 0
    return {0: 5, 1: 4, 2: 3, 3: 2}.get((inside[0] - start) // 600, 1)


@pytest.fixture(scope="module")
def clip_url(live_app, live_server):
    """The test clip (KA-090, 20 s, one window 7..10 s) published in the live database."""
    with live_app.app_context():
        session = get_session()
        if get_item(session, "KA-090") is None:
            import_contents(session, [load_file(CLIP_FILE)[0][0][0]])
            session.commit()
    return f"{live_server}/latihan/A/klip?kode=KA-090"


def clip_time(page) -> float:
    return page.evaluate("() => window.ujisimClipPage.time()")


def wait_clip_time(page, seconds: float) -> None:
    page.wait_for_function(f"() => window.ujisimClipPage.time() >= {seconds}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_practice_clip_scores_what_the_hand_computed_table_says(browser, clip_url, viewport):
    page, problems = watched_page(browser, viewport)
    page.goto(clip_url)
    expect(page.locator("#clip-intro")).to_contain_text("20")
    assert no_horizontal_scroll(page)
    page.locator("#clip-start").click()
    expect(page.locator("#clip-stage")).to_be_visible()
    wait_clip_time(page, 7.3)  # the ball has rolled out: the hazard is developing
    page.locator("#clip-svg").click()
    wait_clip_time(page, 12.5)
    page.keyboard.press(" ")
    result = page.locator("#clip-result")
    expect(result).to_be_visible(timeout=40_000)  # the clip runs its 20 s
    clicks = page.evaluate("() => window.ujisimClipPage.clicks()")
    assert len(clicks) == 2
    assert WINDOW_MS[0] <= clicks[0] <= WINDOW_MS[1]
    points = reference_points(clicks)
    expect(page.locator("#clip-score")).to_have_text(f"Skor Anda: {points} dari 5")
    expect(page.locator("#clip-windows li")).to_have_attribute("data-score", str(points))
    expect(page.locator("#clip-explanation")).to_contain_text("Bola yang menggelinding")
    assert page.locator("#clip-timeline .clip-flag").count() == 2
    assert page.locator("#clip-timeline .clip-band span").count() == 5
    assert no_horizontal_scroll(page)
    # the replay: the scoring window on the clip's bar, the clicks as flags, and seeking
    page.locator("#clip-replay").click()
    expect(page.locator("#clip-seek")).to_be_visible()
    assert page.locator("#clip-bar .clip-band").count() == 1
    assert page.locator("#clip-bar .clip-flag").count() == 2
    page.locator("#clip-seek").fill("200")
    page.wait_for_function("() => window.ujisimClipPage.time() >= 19.9")
    page.context.close()
    assert problems == []


def test_a_rhythmic_clicker_scores_zero_and_is_told_why(browser, clip_url):
    """A bot clicking every 2.5 s from 1 s on has a click in the window (at 8.5 s), and the
    steady beat scores the clip 0."""
    page, problems = watched_page(browser, DESKTOP)
    page.goto(clip_url)
    page.locator("#clip-start").click()
    for beat in range(8):
        wait_clip_time(page, 1 + 2.5 * beat)
        page.locator("#clip-svg").click()
    expect(page.locator("#clip-result")).to_be_visible(timeout=40_000)
    expect(page.locator("#clip-score")).to_have_text("Skor Anda: 0 dari 5")
    expect(page.locator("#clip-pattern")).to_contain_text("berirama")
    clicks = page.evaluate("() => window.ujisimClipPage.clicks()")
    assert len(clicks) == 8
    assert reference_points(clicks) > 0  # without the rule the beat would have scored
    page.context.close()
    assert problems == []


def uses_the_newer_format(spec: dict) -> bool:
    """A clip whose ego moves across (ego.x keyframes) or with an actor shown for a while."""
    return isinstance(spec.get("ego", {}).get("x"), list) or any(
        "show" in actor for actor in spec["actors"]
    )


def test_the_player_and_the_server_agree_on_where_everything_is(browser, clip_url):
    """The browser's Clip and clip_timeline.Timeline compute the ego's distance, speed and
    lateral place (the camera's), every actor's place and whether it is shown with the same
    formulas: within a micrometre, every 0.7 s and at each show's edges, of a dozen shipped
    clips of both classes and every clip that moves the ego across or shows an actor for a
    while."""
    page, problems = watched_page(browser, DESKTOP)
    page.goto(clip_url)
    shipped = [i for i in load_dir()[0] if is_clip(i.media)]
    clips = shipped[::10] + [i for i in shipped if uses_the_newer_format(i.media["clip"])]
    assert sum(uses_the_newer_format(i.media["clip"]) for i in clips) >= 10
    for item in clips:
        spec, cls = item.media["clip"], item.classes[0]
        timeline = Timeline(spec, cls)
        pkg = package(spec, cls)
        times = [round(0.7 * k, 1) for k in range(int(spec["duration"] / 0.7) + 1)]
        edges = {t for a in spec["actors"] for t in a.get("show") or () if t is not None}
        times = sorted(set(times) | edges | {t - 0.001 for t in edges})
        seen = page.evaluate(
            """([pkg, times]) => { const c = new window.ujisimClip.Clip(pkg);
                 return times.map((t) => [c.egoS(t), c.egoSpeed(t), c.cam(t),
                   pkg.actors.map((a, i) => [...c.place(i, t), c.shown(i, t)])]); }""",
            [pkg, times],
        )
        road_half = pkg["road"]["half"]
        for t, (ego_s, speed, cam, places) in zip(times, seen, strict=True):
            assert ego_s == pytest.approx(timeline.ego_s(t), abs=1e-6), (item.code, t)
            assert speed == pytest.approx(timeline.ego_speed(t), abs=1e-6), (item.code, t)
            assert cam == pytest.approx(timeline.cam(t), abs=1e-6), (item.code, t)
            for actor, (s, x, shown) in zip(spec["actors"], places, strict=True):
                want_s, want_x = timeline.place(actor["id"], t)
                assert (s, x) == pytest.approx((want_s, want_x * road_half), abs=1e-6)
                assert shown == timeline.shown(actor["id"], t), (item.code, actor["id"], t)
    page.context.close()
    assert problems == []


def test_the_same_clip_draws_the_same_frames(browser, clip_url, live_app):
    """Reproducible like papers: a player built anew on a phone and on a laptop draws the same
    SVG at the same clip time, and a frame drawn after playing equals one drawn directly."""
    frames = []
    for viewport in (PHONE, DESKTOP):
        page, problems = watched_page(browser, viewport)
        page.goto(clip_url)
        pkg = json.loads(page.locator("#clip-data").text_content())["clip"]
        frames.append(
            page.evaluate(
                """([pkg]) => { const out = [];
                     for (const t of [3.2, 8.5, 14.1]) {
                       const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
                       const player = new window.ujisimClip.Player(svg, pkg, "same");
                       player.draw(t); out.push(svg.innerHTML);
                     }
                     const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
                     const played = new window.ujisimClip.Player(svg, pkg, "same");
                     for (let t = 0; t <= 8.5; t += 1 / 30) played.draw(t);
                     played.draw(8.5); out.push(svg.innerHTML);
                     return out; }""",
                [pkg],
            )
        )
        page.context.close()
        assert problems == []
    assert frames[0] == frames[1]
    assert len(set(frames[0][:3])) == 3  # the frames move
    assert frames[0][3] == frames[0][1]  # the frame at 8.5 s, after playing up to it
