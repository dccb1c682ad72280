"""Access classification of the certificate download and the public verification page (see
tests/test_access.py). ``{attempt}`` is another applicant's attempt (tests/exam/access_exam.py),
so every allowed role gets 404."""

from ujisim.core.security import Role

PROTECTED = {
    "certificates.download": ("GET", "/ujian/{attempt}/sertifikat.pdf", {Role.APPLICANT}, 404),
    # a card holder's photo on record, for the examiner who checks the card (no such card: 404)
    "certificates.card_photo": ("GET", "/verify/x.y/foto", {Role.EXAMINER}, 404),
}
# anyone holding a certificate (a police officer, an employer) checks its QR, or types its short
# code, without an account
PUBLIC = {"certificates.verify", "certificates.verify_code"}
