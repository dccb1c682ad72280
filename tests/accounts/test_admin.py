import re

from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core import storage
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role


def test_admin_creates_a_staff_account_that_can_log_in(client, db, login):
    login(Role.ADMIN)
    response = client.submit(
        "/admin/users/new",
        {"full_name": "Rina Penguji", "email": "rina@satpas.id", "roles": ["examiner"]},
    )
    assert response.status_code == 201
    password = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    client.logout()
    assert client.login("rina@satpas.id", password).status_code == 302
    assert client.get("/admin/users").status_code == 403


def test_duplicate_staff_email_is_refused(client, login, make_user):
    make_user(email="ada@satpas.id")
    login(Role.ADMIN)
    response = client.submit(
        "/admin/users/new", {"full_name": "Ada", "email": "ada@satpas.id", "roles": ["examiner"]}
    )
    assert response.status_code == 409


def test_role_change_is_audited(client, db, login, make_user):
    admin = login(Role.ADMIN)
    target = make_user(Role.APPLICANT)
    response = client.submit(
        f"/admin/users/{target.public_id}", {"roles": ["applicant", "examiner"], "active": "y"}
    )
    assert response.status_code == 302
    db.refresh(target)
    assert target.role_set == {Role.APPLICANT, Role.EXAMINER}
    row = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "accounts.roles_changed")
    ).one()
    assert row.actor_id == admin.id
    assert row.object_id == target.public_id
    assert '"after":["applicant","examiner"]' in row.data


def test_deactivation_logs_the_user_out(client, app, db, login, make_user):
    login(Role.ADMIN)
    target = make_user()
    other = app.test_client()
    other.login(target.email, "kunci-rahasia-uji-2026")
    assert other.get("/account").status_code == 200
    client.submit(f"/admin/users/{target.public_id}", {"roles": ["applicant"]})  # active unticked
    assert other.get("/account").status_code == 302


def test_admin_cannot_remove_own_admin_role(client, db, login):
    admin = login(Role.ADMIN)
    response = client.submit(
        f"/admin/users/{admin.public_id}", {"roles": ["examiner"], "active": "y"}
    )
    assert response.status_code == 422
    db.refresh(admin)
    assert Role.ADMIN in admin.role_set


def test_delete_account_with_its_files_after_typing_its_email(client, app, db, login, make_user):
    admin = login(Role.ADMIN)
    target = make_user(Role.APPLICANT, email="hapus@example.id")
    target_id, public_id = target.id, target.public_id
    stored = storage.store(db, b"foto", content_type="image/jpeg", purpose="t", owner=target)
    db.commit()
    path = storage.path_of(stored)
    other = app.test_client()
    other.login(target.email, "kunci-rahasia-uji-2026")
    url = f"/admin/users/{target.public_id}/delete"
    page = client.get(f"/admin/users/{target.public_id}").get_data(as_text=True)
    assert f'action="{url}"' in page

    wrong = client.submit(url, {"confirm_email": "orang-lain@example.id"})
    assert wrong.status_code == 422
    assert "Ini bukan alamat surel akun tersebut." in wrong.get_data(as_text=True)
    assert db.get(User, target.id) is not None
    assert path.exists()

    done = client.submit(url, {"confirm_email": " Hapus@Example.id "})
    assert (done.status_code, done.headers["Location"]) == (302, "/admin/users")
    db.expire_all()
    assert db.get(User, target_id) is None
    assert not path.exists()
    assert other.get("/account").status_code == 302  # their session ends with the account
    row = db.scalars(select(AuditRecord).where(AuditRecord.action == "accounts.deleted")).one()
    assert (row.actor_id, row.object_id) == (admin.id, public_id)
    # a second click (or a second tab) finds nothing left to delete
    assert client.submit(url, {"confirm_email": "hapus@example.id"}).status_code == 404


def test_admin_cannot_delete_own_account(client, db, login):
    admin = login(Role.ADMIN)
    response = client.submit(
        f"/admin/users/{admin.public_id}/delete", {"confirm_email": admin.email}
    )
    assert response.status_code == 409
    assert "Anda tidak dapat menghapus akun Anda sendiri." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, admin.id) is not None


def test_search_and_filter(client, login, make_user):
    login(Role.ADMIN)
    make_user(full_name="Bambang Sutrisno", email="bambang@example.id")
    make_user(Role.EXAMINER, full_name="Citra Kirana")
    page = client.get("/admin/users?q=bambang").get_data(as_text=True)
    assert "Bambang Sutrisno" in page
    assert "Citra Kirana" not in page
    page = client.get("/admin/users?role=examiner").get_data(as_text=True)
    assert "Citra Kirana" in page
    assert "Bambang Sutrisno" not in page


def test_outbox_shows_mail_in_development_only(client, app, login, make_user):
    user = make_user()
    client.submit("/password/forgot", {"email": user.email})
    login(Role.ADMIN, locale="id")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "/password/reset/" in page
    # its state in words (issue 20, point 4), the code kept for scripts
    assert '<span data-state="held">ditahan (server surel belum diatur)</span>' in page
    app.config["SHOW_OUTBOX"] = False
    assert client.get("/admin/outbox").status_code == 404


def test_cli_creates_staff_and_sets_roles(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--role",
            "examiner",
            "--role",
            "print_shop",
            "--email",
            "A@B.id",
            "--name",
            "Andi",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "password:" in result.output
    user = db.scalars(select(User).where(User.email == "a@b.id")).one()
    assert user.role_set == {Role.EXAMINER, Role.PRINT_SHOP}
    again = runner.invoke(
        args=["users", "create", "--role", "examiner", "--email", "a@b.id", "--name", "X"]
    )
    assert again.exit_code != 0
    result = runner.invoke(args=["users", "roles", "a@b.id", "--role", "admin"])
    assert result.exit_code == 0
    db.refresh(user)
    assert user.role_set == {Role.ADMIN}


def test_seed_demo_is_idempotent(runner, db):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    count = len(db.scalars(select(User)).all())
    second = runner.invoke(args=["seed", "demo"])
    assert second.output == first.output
    assert len(db.scalars(select(User)).all()) == count == 4
    roles = {r for u in db.scalars(select(User)) for r in u.role_set}
    assert roles == set(Role)
