"""Practice pictures have real text alternatives (issue 20, point 6): a sign's name in the
page's language, a scene's description (marked as Indonesian on an English page while the scene
has no English); official pictures stay unnamed (tests/question_bank/test_media.py)."""

import re

import pytest

from tests.question_bank.test_practice import bank, contents, english, pool_a  # noqa: F401
from ujisim.question_bank.media.signs import SIGNS

IMAGE = re.compile(
    r'<img src="/bank/media/(\d+)/[AC]\.svg(?:\?[^"]*)?"[^>]*?alt="([^"]*)"([^>]*)>', re.S
)


def pictures(client, url: str) -> dict[int, tuple[str, str]]:
    """Version id -> (alt text, what follows it in the tag) of every picture on the page."""
    page = client.get(url).get_data(as_text=True)
    return {int(v): (alt, rest) for v, alt, rest in IMAGE.findall(page)}


def test_a_sign_is_named_in_the_pages_language(client, pool_a):  # noqa: F811
    signs = {v.id: v.media["sign"] for v in pool_a if v.media and "sign" in v.media}
    shown = pictures(client, "/latihan/A/topik/rambu")
    named = {v: alt for v, (alt, _rest) in shown.items() if v in signs}
    assert named
    for version, alt in named.items():
        assert alt == f"Rambu lalu lintas: {SIGNS[signs[version]].name_id}"
    client.submit("/lang", {"lang": "en"})
    shown = pictures(client, "/latihan/A/topik/rambu")
    for version in named:
        alt, rest = shown[version]
        assert alt == f"Traffic sign: {SIGNS[signs[version]].name_en}"
        assert "lang=" not in rest


@pytest.mark.usefixtures("english")
def test_a_scene_is_described_in_the_pages_language(client, pool_a):  # noqa: F811
    scenes = [v for v in pool_a if v.media and "scene" in v.media]
    topic = scenes[0].topic
    shown = pictures(client, f"/latihan/A/topik/{topic}")
    described = [v for v in scenes if v.id in shown]
    assert described
    for version in described:
        alt, rest = shown[version.id]
        # every shipped scene has its English description (title_en, the gate refuses one without)
        assert alt == version.media["scene"]["title_en"]
        assert 'lang="id"' not in rest
