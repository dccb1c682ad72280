"""Items reserved for official exams: at least 40 % of each class in the shipped bank, never on
a practice page (with or without key), never behind a practice token, a mock paper in the
session or the public media URL; publishing a bank with too few of them is refused."""

import itertools
import re
from dataclasses import replace

import pytest
from markupsafe import escape

from tests.question_bank.conftest import shipped_bank
from ujisim.core.security import Role
from ujisim.question_bank import practice_mock, services
from ujisim.question_bank import practice_services as practice
from ujisim.question_bank.content import DEFAULT_MIN_RESERVED
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.lint import Gate

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def app_config(tmp_path, database_url):
    """The command-line banks here are three made-up items, far below the official pool size
    (the pool-size rule has its own tests in test_lint.py)."""
    from tests.conftest import _test_config

    return _test_config(tmp_path, database_url, BANK_LINT_RULES={"pool_multiple": 0})


@pytest.fixture(scope="module")
def shipped():
    items, problems = shipped_bank()
    assert problems == ()
    return list(items)


@pytest.fixture
def bank(db, shipped):
    """The whole shipped bank, published; (reserved, practice) versions of it."""
    result = services.import_contents(db, shipped, gate=Gate(min_reserved=DEFAULT_MIN_RESERVED))
    db.commit()
    versions = services.bank_item_versions(db, result.bank_version)
    return [v for v in versions if not v.practice], [v for v in versions if v.practice]


@pytest.fixture
def secret(app):
    return app.config["SECRET_KEY"]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_shipped_bank_reserves_at_least_40_percent_of_each_class(shipped):
    for cls in "AC":
        pool = [i for i in shipped if cls in i.classes]
        reserved = [i for i in pool if not i.practice]
        assert len(reserved) >= 0.4 * len(pool), cls
        # and practice still has enough of every category for a mock exam
        for category, count in practice_mock.DEFAULT_SHAPE.counts.items():
            open_ = [i for i in pool if i.practice and i.category == category]
            assert len(open_) >= 2 * count, (cls, category)


def test_no_practice_page_ever_shows_a_reserved_item(client, db, login, bank):
    reserved, open_ = bank
    assert reserved
    assert open_
    login(Role.APPLICANT)  # history on, so the weak-topics page has content too
    pages = [text(client.get("/latihan/"))]
    for cls in "AC":
        topics = text(client.get(f"/latihan/{cls}/topik"))
        pages.append(topics)
        for topic in sorted(set(re.findall(rf'href="/latihan/{cls}/topik/(\w+)"', topics))):
            for number in itertools.count(1):
                page = client.get(f"/latihan/{cls}/topik/{topic}?halaman={number}")
                if page.status_code == 404:
                    break
                pages.append(text(page))
            question = text(client.get(f"/latihan/{cls}/cepat?topik={topic}"))
            pages.append(question)
            token = TOKEN_RE.search(question).group(1)
            pages.append(
                text(client.submit("/latihan/cepat/jawab", {"token": token, "choice": "0"}))
            )
        for _ in range(40):
            pages.append(text(client.get(f"/latihan/{cls}/cepat")))
        assert client.submit("/latihan/simulasi/mulai", {"kelas": cls}).status_code == 302
        pages.append(text(client.get("/latihan/simulasi/kerjakan")))
        with client.session_transaction() as session:
            ref = session["practice_mock"]["r"]
        answers = {f"q{i}": "0" for i in range(30)}
        done = client.submit("/latihan/simulasi/selesai", {"ref": ref, **answers})
        assert done.status_code in (302, 303)
        pages.append(text(client.get("/latihan/simulasi/hasil")))
    pages.append(text(client.get("/latihan/topik-lemah")))

    everything = "\n".join(pages)
    shown = [v for v in open_ if str(escape(v.stem)) in everything]
    assert len(shown) > len(open_) // 2  # the crawl saw most of the practice bank
    for version in reserved:
        assert str(escape(version.stem)) not in everything, version.item.code
        assert str(escape(version.explanation)) not in everything, version.item.code
        assert f"/bank/media/{version.id}/" not in everything, version.item.code


def test_a_signed_token_naming_a_reserved_item_is_refused(client, db, secret, bank):
    reserved, _open = bank
    version = reserved[0]
    question = practice.Question(version, tuple(range(len(version.options))))
    token = practice.sign_question(
        practice.QuickQuestion(question, version.class_list[0], "ref"), secret
    )
    response = client.submit("/latihan/cepat/jawab", {"token": token, "choice": "0"})
    assert response.status_code == 400
    assert str(escape(version.explanation)) not in response.get_data(as_text=True)


def test_a_mock_paper_naming_a_reserved_item_does_not_load(client, db, bank):
    reserved, open_ = bank
    cls = "A"
    assert client.submit("/latihan/simulasi/mulai", {"kelas": cls}).status_code == 302
    with client.session_transaction() as session:
        data = session["practice_mock"]
    paper = practice_mock.load_mock_paper(db, data)
    assert paper is not None
    swap = next(v for v in reserved if cls in v.class_list)
    forged = practice.Question(swap, tuple(range(len(swap.options))))
    data = {**data, "q": [forged.encode(), *data["q"][1:]]}
    assert practice_mock.load_mock_paper(db, data) is None


def test_the_media_of_a_reserved_item_is_for_staff_only(client, login, bank):
    reserved, open_ = bank
    hidden = next(v for v in reserved if v.media)
    shown = next(v for v in open_ if v.media)
    cls = hidden.class_list[0]
    assert client.get(f"/bank/media/{hidden.id}/{cls}.svg").status_code == 404
    assert client.get(f"/bank/media/{shown.id}/{shown.class_list[0]}.svg").status_code == 200
    login(Role.EXAMINER)
    assert client.get(f"/bank/media/{hidden.id}/{cls}.svg").status_code == 200


def test_publishing_with_too_few_reserved_items_is_refused(db, shipped):
    # the SIM C items alone, then as many reserved ones opened to practice as takes the
    # reserved share just below 40 %
    bank = [replace(i, classes=("C",)) for i in shipped if "C" in i.classes]
    services.import_contents(db, bank, gate=Gate(min_reserved=DEFAULT_MIN_RESERVED))
    db.commit()
    total = len(bank)
    keep = int(DEFAULT_MIN_RESERVED * total - 1e-9)  # the most that is still too few
    reserved_codes = [i.code for i in bank if not i.practice][:keep]
    opened = [i if i.code in reserved_codes else replace(i, practice=True) for i in bank]
    with pytest.raises(ContentError) as refused:
        services.import_contents(db, opened, gate=Gate(min_reserved=DEFAULT_MIN_RESERVED))
    reserved = sum(not i.practice for i in opened)
    assert reserved == keep
    # the message is for the examiner, in Bahasa Indonesia by default
    assert f"Hanya {reserved} dari {total} soal SIM C" in refused.value.message
    assert "paling sedikit 40% harus khusus ujian" in refused.value.message
    db.rollback()
    assert services.latest_bank_version(db).number == 1


def test_validate_and_import_report_too_few_reserved_items(tmp_path, runner, db):
    item = """\
topic: kecepatan
items:
  - code: ZZ-00{n}
    classes: [A]
    category: pengetahuan
    difficulty: 1
    practice: {practice}
    stem: Soal latihan nomor {n} tentang batas kecepatan?
    options:
      - text: Benar
        key: true
      - text: Salah
    explanation: Penjelasan.
    legal_basis: PM 111/2015 Pasal 3
    group: soal-contoh
    en:
      stem: Practice question number {n} about speed limits?
      options: [Right, Wrong]
      explanation: Explanation.
"""
    for n, practice_ in ((1, "true"), (2, "true"), (3, "false")):
        (tmp_path / f"f{n}.yaml").write_text(item.format(n=n, practice=practice_))
    for command in ("validate", "import"):
        result = runner.invoke(args=["bank", command, str(tmp_path)])
        assert result.exit_code == 1, command
        assert "only 1 of 3 SIM A items (33%) are reserved for official exams" in result.output
    assert services.latest_bank_version(db) is None
    (tmp_path / "f2.yaml").write_text(item.format(n=2, practice="false"))
    assert runner.invoke(args=["bank", "import", str(tmp_path)]).exit_code == 0
