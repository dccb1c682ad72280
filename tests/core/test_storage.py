import os

from ujisim.core import storage
from ujisim.core.security import Role


def test_owner_reads_others_get_404(client, db, make_user, login):
    owner = login(Role.APPLICANT)
    stored = storage.store(
        db, b"\x89PNG fake", content_type="image/png", purpose="photo", owner=owner
    )
    db.commit()
    path = storage.path_of(stored)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert "static" not in str(path)
    response = client.get(f"/files/{stored.public_id}")
    assert response.status_code == 200
    assert response.data == b"\x89PNG fake"
    assert response.headers["Cache-Control"] == "private, no-store"
    client.logout()
    login(Role.EXAMINER)
    assert client.get(f"/files/{stored.public_id}").status_code == 404
    assert client.get("/files/does-not-exist").status_code == 404


def test_purpose_rules_decide_access(client, db, make_user, login):
    @storage.access_rule("exam_evidence")
    def examiners_only(user, stored):
        return user.has_any_role(Role.EXAMINER)

    owner = make_user()
    stored = storage.store(
        db, b"x", content_type="text/plain", purpose="exam_evidence", owner=owner
    )
    db.commit()
    login(Role.EXAMINER)
    assert client.get(f"/files/{stored.public_id}").status_code == 200


def test_delete_removes_file_and_row(db, make_user):
    stored = storage.store(db, b"x", content_type="text/plain", purpose="t", owner=make_user())
    path = storage.path_of(stored)
    storage.delete(db, stored)
    assert not path.exists()
