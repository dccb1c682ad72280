import os
import stat

from ujisim.app import create_app
from ujisim.core.secrets import signing_key


def test_keys_are_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("UJISIM_SECRET_KEY", raising=False)
    monkeypatch.delenv("UJISIM_SIGNING_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"}
    first = create_app(config)
    for name in ("secret_key", "signing_key.pem"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, name
    second = create_app(config)
    assert first.secret_key == second.secret_key
    with first.app_context():
        key_id = signing_key().key_id
        signature = signing_key().sign(b"data")
    with second.app_context():
        assert signing_key().key_id == key_id
        assert signing_key().verify(signature, b"data")
        assert not signing_key().verify(signature, b"other")


def test_environment_wins_over_instance_files(tmp_path, monkeypatch):
    monkeypatch.setenv("UJISIM_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert app.secret_key == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
