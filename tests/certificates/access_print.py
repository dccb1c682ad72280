"""Access classification of the print queue: the bearer-token API, the print-shop page and the
station admin page (see tests/test_access.py).

The API takes no login cookie: a logged-in user of any role without a station token gets the same
401 as an anonymous script. ``{print_job}`` is a ready card job nobody holds, so the page's
actions are refused with a message (303 back to the page)."""

from ujisim.core.security import Role

ALL = set(Role)
STAFF = {Role.PRINT_SHOP, Role.ADMIN}
JOB = "/api/v1/print/jobs/{print_job}"

PROTECTED = {
    "print_api.station_info": ("GET", "/api/v1/print/station", ALL, 401),
    "print_api.list_jobs": ("GET", "/api/v1/print/jobs", ALL, 401),
    "print_api.claimed_jobs": ("GET", "/api/v1/print/jobs/claimed", ALL, 401),
    "print_api.claim": ("POST", "/api/v1/print/jobs/claim", ALL, 401),
    "print_api.job_detail": ("GET", JOB, ALL, 401),
    "print_api.document": ("GET", JOB + "/document.pdf", ALL, 401),
    "print_api.batch": ("GET", "/api/v1/print/batch.pdf?jobs={print_job}", ALL, 401),
    "print_api.printed": ("POST", JOB + "/printed", ALL, 401),
    "print_api.failed": ("POST", JOB + "/failed", ALL, 401),
    "print_api.release": ("POST", JOB + "/release", ALL, 401),
    "printshop.index": ("GET", "/cetak/", STAFF),
    "printshop.claim": ("POST", "/cetak/claim", STAFF, 422),  # no count given
    "printshop.document": ("GET", "/cetak/jobs/{print_job}/document.pdf", STAFF, 303),
    "printshop.cards": ("GET", "/cetak/cards.pdf", STAFF, 303),  # holds no cards
    "printshop.printed": ("POST", "/cetak/jobs/{print_job}/printed", STAFF, 303),
    "printshop.release": ("POST", "/cetak/jobs/{print_job}/release", STAFF, 303),
    "printshop.failed": ("POST", "/cetak/jobs/{print_job}/failed", STAFF, 303),  # no reason
    "printshop.reprint": ("POST", "/cetak/jobs/{print_job}/reprint", STAFF, 303),
    "print_admin.index": ("GET", "/admin/print/stations", {Role.ADMIN}),
    "print_admin.create": ("POST", "/admin/print/stations", {Role.ADMIN}, 422),  # no name
    "print_admin.revoke": (
        "POST",
        "/admin/print/stations/{print_station}/revoke",
        {Role.ADMIN},
        303,
    ),
}
# a station's integrator reads the API description before it has a token
PUBLIC = {"print_api.openapi"}
# bearer-token API: no cookie, so no CSRF token either
CSRF_EXEMPT = {"print_api.claim", "print_api.printed", "print_api.failed", "print_api.release"}


def url_args(db, make_user, name):
    """``{print_job}``: a ready card job; ``{print_station}``: an active station."""
    from tests.certificates.print_support import plain_card
    from ujisim.certificates import print_documents, stations

    if name == "print_job":
        return print_documents.enqueue_card(db, plain_card(901)).public_id
    if name == "print_station":
        admin = make_user(Role.ADMIN)
        return stations.create_station(db, "Percetakan Uji", admin)[0].public_id
    return None
