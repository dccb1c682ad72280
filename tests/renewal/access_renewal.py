"""Access classification of the renewal pages (see tests/test_access.py)."""

from ujisim.core.security import Role

APPLICANT = {Role.APPLICANT}
EXAMINER = {Role.EXAMINER}
ADMIN = {Role.ADMIN}

PROTECTED = {
    "renewal.index": ("GET", "/perpanjangan/", APPLICANT),
    # nothing filled in: a clear refusal, nothing changes
    "renewal.start": ("POST", "/perpanjangan/mulai", APPLICANT, 422),
    # somebody else's application: 404 for every allowed role
    "renewal.show": ("GET", "/perpanjangan/{renewal}", APPLICANT, 404),
    "renewal.submit_documents": ("POST", "/perpanjangan/{renewal}/dokumen", APPLICANT, 404),
    "renewal.ask_officer": ("POST", "/perpanjangan/{renewal}/identitas/petugas", APPLICANT, 404),
    "renewal_api.camera_check": (
        "POST",
        "/api/v1/renewal/applications/{renewal}/camera-check",
        APPLICANT,
        404,
    ),
    "renewal_api.new_check": (
        "POST",
        "/api/v1/renewal/applications/{renewal}/identity-checks",
        APPLICANT,
        404,
    ),
    "renewal_api.check_frames": (
        "POST",
        "/api/v1/renewal/identity-checks/x/frames",
        APPLICANT,
        404,
    ),
    "renewal_api.availability": ("GET", "/api/v1/renewal/availability", APPLICANT),
    "renewal.choose_delivery": ("POST", "/perpanjangan/{renewal}/pengiriman", APPLICANT, 404),
    "renewal.cancel": ("POST", "/perpanjangan/{renewal}/batal", APPLICANT, 404),
    "renewal.track": ("GET", "/perpanjangan/{renewal}/lacak", APPLICANT, 404),
    "renewal.confirm_receipt": ("POST", "/perpanjangan/{renewal}/terima", APPLICANT, 404),
    "renewal_refunds.change_account": (
        "POST",
        "/perpanjangan/{renewal}/refund/rekening",
        APPLICANT,
        404,
    ),
    # no refund to send a webhook about: 404
    "renewal_refunds_officer.refund_sandbox": (
        "POST",
        "/examiner/renewals/{renewal}/refund-sandbox",
        EXAMINER,
        404,
    ),
    "renewal.name_proxy": ("POST", "/perpanjangan/{renewal}/kuasa", APPLICANT, 404),
    "renewal.answer_survey": ("POST", "/perpanjangan/{renewal}/survei", APPLICANT, 404),
    "renewal.sandbox_tests": ("GET", "/perpanjangan/sandbox/tes", APPLICANT),
    # nothing chosen: a clear refusal, no certificate issued
    "renewal.sandbox_take_test": ("POST", "/perpanjangan/sandbox/tes", APPLICANT, 422),
    "renewal.sandbox_page": ("GET", "/perpanjangan/sandbox/bayar/{va}", APPLICANT, 404),
    "renewal.sandbox_pay": ("POST", "/perpanjangan/sandbox/bayar/{va}", APPLICANT, 404),
    "renewal_officer.queue": ("GET", "/examiner/renewals/", EXAMINER),
    "renewal_officer.detail": ("GET", "/examiner/renewals/{renewal}", EXAMINER),
    # the application waits for payment: a clear refusal (flash), nothing changes
    "renewal_officer.approve": ("POST", "/examiner/renewals/{renewal}/approve", EXAMINER, 303),
    "renewal_officer.reject": ("POST", "/examiner/renewals/{renewal}/reject", EXAMINER, 303),
    "renewal_officer.clear_identity": (
        "POST",
        "/examiner/renewals/{renewal}/identity",
        EXAMINER,
        303,
    ),
    "renewal_officer.advance_order": (
        "POST",
        "/examiner/renewals/orders/x/advance",
        EXAMINER,
        404,
    ),
    "renewal_officer.hand_over": ("POST", "/examiner/renewals/orders/x/pickup", EXAMINER, 404),
    "renewal_officer.label": ("GET", "/examiner/renewals/orders/x/label.pdf", EXAMINER, 404),
    "renewal_officer.courier_sandbox": (
        "POST",
        "/examiner/renewals/orders/x/courier-sandbox",
        EXAMINER,
        404,
    ),
    "renewal_admin.grace_windows": ("GET", "/admin/perpanjangan/dispensasi", ADMIN),
    # nothing filled in: each field's message, nothing saved
    "renewal_admin.add_grace_window": ("POST", "/admin/perpanjangan/dispensasi", ADMIN, 422),
    "renewal_admin.edit_grace_window": ("GET", "/admin/perpanjangan/dispensasi/x", ADMIN, 404),
    "renewal_admin.save_grace_window": ("POST", "/admin/perpanjangan/dispensasi/x", ADMIN, 404),
    "renewal_admin.grace_window_action": (
        "POST",
        "/admin/perpanjangan/dispensasi/x/publish",
        ADMIN,
        404,
    ),
    "renewal_admin.sandbox_messages": ("GET", "/admin/perpanjangan/sandbox-pesan", ADMIN),
}
# authenticated by their HMAC signature, not by a login or a CSRF token
PUBLIC = {
    # the SANDBOX courier's tracking page, public by tracking number as a courier's is
    "renewal.sandbox_courier_track",
    "renewal_webhooks.payment_webhook",
    "renewal_webhooks.courier_webhook",
    "renewal_api.openapi_document",
}
CSRF_EXEMPT = {"renewal_webhooks.payment_webhook", "renewal_webhooks.courier_webhook"}


def url_args(db, make_user, name):
    """``{renewal}``: another applicant's application waiting for payment; ``{va}``: its
    sandbox virtual account."""
    if name not in ("renewal", "va"):
        return None
    from datetime import date, timedelta

    from tests.renewal.conftest import COURIER, make_nik
    from ujisim.core import clock
    from ujisim.renewal import application as apps
    from ujisim.renewal import delivery_options, payments, registry
    from ujisim.renewal.forms import delivery_choice
    from ujisim.renewal.models import AppState

    born = date(1985, 6, 1)
    owner = make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)
    today = clock.now().date()
    licence = registry.add_licence(
        db,
        number=f"9{owner.id:011d}",
        licence_class="C",
        holder_nik=owner.nik,
        holder_name=owner.full_name,
        date_of_birth=born,
        address="Jl. Mawar 1",
        issued_on=today - timedelta(days=1800),
        expires_on=today + timedelta(days=20),
        satpas="Satpas Polres Bogor",
    )
    application = apps.start_application(db, owner, licence.number, owner.nik, born)
    # skip the document and identity steps (their own tests cover them)
    application.state = AppState.DELIVERY
    choice = delivery_choice({**COURIER, "method": "courier"})
    delivery_options.choose_delivery(db, application, choice, owner)
    if name == "renewal":
        return application.public_id
    return payments.current_payment(db, application).public_id
