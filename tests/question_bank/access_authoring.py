"""Access classification of the examiner authoring pages (see tests/test_access.py).

``{item}`` is an item with two versions (v1 superseded, v2 active, a sign as its picture), so
every page has something to show. The matrix posts without form fields: the review actions then
lack the stamp of the version they were made for and are refused with 409, the item form with 422.
"""

from ujisim.core.security import Role

EXAMINER = {Role.EXAMINER}
ITEM = "/examiner/items/{item}"

PROTECTED = {
    "authoring.items": ("GET", "/examiner/items/", EXAMINER),
    "authoring.new": ("GET", "/examiner/items/new", EXAMINER),
    "authoring.new_clip": ("GET", "/examiner/items/new/clip", EXAMINER),
    "authoring.item": ("GET", ITEM, EXAMINER),
    "authoring.edit": ("GET", ITEM + "/edit", EXAMINER),
    "authoring.preview": ("GET", ITEM + "/preview?class=C&version=1", EXAMINER),
    "authoring.diff": ("GET", ITEM + "/diff?a=1&b=2", EXAMINER),
    "authoring.submit": ("POST", ITEM + "/submit", EXAMINER, 409),
    "authoring.approve": ("POST", ITEM + "/approve", EXAMINER, 409),
    "authoring.return_item": ("POST", ITEM + "/return", EXAMINER, 422),
    "authoring.retire": ("POST", ITEM + "/retire", EXAMINER, 422),
    "publishing.index": ("GET", "/examiner/bank/", EXAMINER),
    # without the number of the latest version the examiner saw: refused as stale
    "publishing.publish": ("POST", "/examiner/bank/publish", EXAMINER, 409),
}


def url_args(db, make_user) -> dict:
    from ujisim.question_bank import services
    from ujisim.question_bank.content import ItemContent, Option

    def content(difficulty: int) -> ItemContent:
        return ItemContent(
            code="ZZ-900",
            classes=("A", "C"),
            category="pengetahuan",
            topic="rambu",
            stem="Apa arti rambu ini?",
            options=(Option("Dilarang masuk", True), Option("Wajib lurus")),
            explanation="Rambu larangan masuk bagi semua kendaraan.",
            legal_basis="PM 13/2014 Lampiran I",
            difficulty=difficulty,
            media={"sign": "larangan_masuk"},
        )

    services.import_contents(db, [content(1)])
    services.import_contents(db, [content(2)])
    db.commit()
    return {"item": "ZZ-900"}
