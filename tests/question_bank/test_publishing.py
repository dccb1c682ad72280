"""Publishing from the examiner workspace: the changes waiting since the latest bank version,
the reserved share, one publish per click (a stale or repeated form publishes nothing), and
the refusal of a bank with too few reserved items."""

from dataclasses import replace

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.question_bank.conftest import shipped_bank
from ujisim.core.audit import AuditRecord
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank.content import DEFAULT_MIN_RESERVED
from ujisim.question_bank.lint import Gate
from ujisim.question_bank.models import BankVersion

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

EXPECTED = 'name="expected" type="hidden" value="'


@pytest.fixture(scope="module")
def shipped():
    return list(shipped_bank()[0])


@pytest.fixture
def published(db, shipped):
    """The shipped bank as bank version 1."""
    services.import_contents(db, shipped, gate=Gate(min_reserved=DEFAULT_MIN_RESERVED))
    db.commit()


def page_of(browser, url="/examiner/bank/") -> str:
    response = browser.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def expected(page: str) -> str:
    start = page.index(EXPECTED) + len(EXPECTED)
    return page[start : page.index('"', start)]


def banks(db) -> int:
    return db.scalar(select(func.count()).select_from(BankVersion))


def approved_new_item(db, shipped, author, reviewer, *, practice=True):
    """A new item written by ``author`` and approved by ``reviewer`` (active, not published)."""
    base = next(i for i in shipped if i.classes == ("A", "C") and not i.media)
    content = replace(
        base,
        code="ZZ-501",
        stem="Soal baru yang belum diterbitkan: kapan lampu hazard dinyalakan?",
        practice=practice,
    )
    item = authoring_services.create_item(db, content, author=author.user)
    authoring_services.submit_for_review(db, item, actor=author.user)
    authoring_services.approve(db, item, reviewer=reviewer.user)
    db.commit()
    return content


@pytest.mark.usefixtures("published")
def test_an_approved_item_reaches_practice_only_when_published(
    db, client, shipped, author, reviewer
):
    content = approved_new_item(db, shipped, author, reviewer)
    topic_page = f"/latihan/A/topik/{content.topic}?halaman="
    stem = str(escape(content.stem))

    def in_practice() -> bool:
        pages = (client.get(topic_page + str(n)) for n in range(1, 4))
        return any(stem in p.get_data(as_text=True) for p in pages if p.status_code == 200)

    assert not in_practice()
    page = page_of(reviewer)
    assert "New items (1)" in page
    assert 'href="/examiner/items/ZZ-501"' in page
    assert "Publish bank version 2" in page
    assert expected(page) == "1"

    response = reviewer.submit("/examiner/bank/publish", {"expected": "1"})
    assert response.status_code == 302
    after = page_of(reviewer, response.headers["Location"])
    assert "Bank version 2 was published with" in after
    assert "Nothing: the active items are exactly the latest published version." in after
    assert in_practice()
    bank = services.latest_bank_version(db)
    assert (bank.number, bank.created_by_id) == (2, reviewer.user.id)
    record = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "bank.published")
        .order_by(AuditRecord.seq.desc())
    ).first()
    assert (record.actor_id, record.object_id) == (reviewer.user.id, "2")


@pytest.mark.usefixtures("published")
def test_a_second_click_or_a_stale_tab_publishes_nothing_more(db, shipped, author, reviewer):
    approved_new_item(db, shipped, author, reviewer)
    stale = expected(page_of(author))  # another tab, opened before the publish
    assert reviewer.submit("/examiner/bank/publish", {"expected": "1"}).status_code == 302
    for browser in (reviewer, author):  # the same form again, and the stale tab
        response = browser.submit("/examiner/bank/publish", {"expected": stale})
        assert response.status_code == 409
        assert "Bank version 2 was published meanwhile" in response.get_data(as_text=True)
    assert banks(db) == 2


@pytest.mark.usefixtures("published")
def test_with_nothing_to_publish_the_button_is_off_and_nothing_is_published(db, reviewer):
    page = page_of(reviewer)
    assert "Nothing: the active items are exactly the latest published version." in page
    assert "disabled" in page[page.index('action="/examiner/bank/publish"') :]
    response = reviewer.submit("/examiner/bank/publish", {"expected": "1"})
    assert "Nothing changed since bank version 1" in page_of(reviewer, response.headers["Location"])
    assert banks(db) == 1


def test_too_few_reserved_items_are_refused_with_the_numbers(db, shipped, author, reviewer):
    # the SIM C items alone, with all but 100 of the reserved ones open to practice: below 40 %
    bank = [replace(i, classes=("C",)) for i in shipped if "C" in i.classes]
    keep = {i.code for i in bank if not i.practice}
    keep = set(sorted(keep)[:100])
    opened = [i if i.code in keep else replace(i, practice=True) for i in bank]
    services.import_contents(db, opened)
    db.commit()
    page = page_of(reviewer)
    reserved = sum(not i.practice for i in opened)
    total = len(opened)
    assert reserved < DEFAULT_MIN_RESERVED * total
    assert f'class="short">SIM C: {reserved} of {total} items' in page
    response = reviewer.submit("/examiner/bank/publish", {"expected": "1"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f"Only {reserved} of the {total} SIM C items are reserved for official exams" in text
    assert banks(db) == 1


def test_the_page_works_before_any_bank_is_published(db, reviewer):
    page = page_of(reviewer)
    assert "No bank version has been published yet." in page
    assert expected(page) == "0"
