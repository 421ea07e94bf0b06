"""deploy/preflight.py: `make serve` refuses development settings with a message saying what to set."""
import importlib.util
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("preflight", ROOT / "deploy" / "preflight.py")
preflight = importlib.util.module_from_spec(spec)
spec.loader.exec_module(preflight)

SECRET = "s" * 64
REDIS = "redis://127.0.0.1:6379/0"


def test_production_settings_pass(tmp_path):
    env = dict(HAMYAN_SECRET_KEY=SECRET, HAMYAN_RATELIMIT_STORAGE_URI=REDIS, HAMYAN_INSTANCE_PATH=str(tmp_path))
    assert preflight.problems(env, "web", workers=4) == []


def test_missing_or_generated_secret_key_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("generated-" + "x" * 40 + "\n")
    for secret in ("", "generated-" + "x" * 40, "short"):
        env = dict(HAMYAN_SECRET_KEY=secret, HAMYAN_RATELIMIT_STORAGE_URI=REDIS, HAMYAN_INSTANCE_PATH=str(tmp_path))
        [problem] = preflight.problems(env, "scheduler")
        assert "HAMYAN_SECRET_KEY" in problem


def test_memory_rate_limits_refused_only_when_several_processes_serve(tmp_path):
    env = dict(HAMYAN_SECRET_KEY=SECRET, HAMYAN_INSTANCE_PATH=str(tmp_path))
    [problem] = preflight.problems(env, "web", workers=2)
    assert "memory://" in problem and "redis://" in problem
    assert preflight.problems(env, "web", workers=1) == []
    assert preflight.problems({**env, "HAMYAN_SERVERS": "2"}, "web", workers=1) != []
    assert preflight.problems(env, "scheduler") == []


def test_entrypoint_refuses_before_migrating(tmp_path):
    env = dict(PATH="/usr/bin:/bin", HAMYAN_VENV=str(Path(__import__("sys").executable).parents[1]),
               HAMYAN_INSTANCE_PATH=str(tmp_path), HAMYAN_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}",
               HAMYAN_WORKERS="3")
    result = subprocess.run([str(ROOT / "deploy" / "entrypoint.sh"), "web"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "refusing to start" in result.stderr and "HAMYAN_SECRET_KEY" in result.stderr and "memory://" in result.stderr
    assert not (tmp_path / "x.sqlite").exists()  # nothing was migrated


def test_app_servers_on_one_host_keep_out_of_each_others_control_socket():
    from gunicorn.app.base import Application

    settings = Application.get_config_from_filename(None, str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["control_socket_disable"] is True
