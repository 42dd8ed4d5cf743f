"""Secure defaults: no DEBUG by default, a secret is required in production."""

import os
import subprocess
import sys

import pytest

CHECK = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ipsworks.settings');"
    " django.setup(); from django.conf import settings;"
    " print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
)


def run_settings(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSWORKS_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({"IPSWORKS_ENV": "production"})
    assert result.returncode != 0
    assert "refuses to start in production without a secret key" in result.stderr
    assert "IPSWORKS_SECRET_KEY" in result.stderr


def test_production_with_a_secret_has_debug_off_and_secure_cookies():
    result = run_settings({"IPSWORKS_SECRET_KEY": "x" * 60})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_an_installed_ipsworks_in_production_needs_a_data_folder(tmp_path):
    import shutil
    from pathlib import Path

    import ipsworks

    package = tmp_path / "lib" / "site-packages" / "ipsworks"
    package.mkdir(parents=True)
    source = Path(ipsworks.__file__).parent
    for name in ("__init__.py", "settings.py"):
        shutil.copy(source / name, package / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSWORKS_")}
    env.update({"IPSWORKS_SECRET_KEY": "x" * 60, "PYTHONPATH": str(package.parent)})
    probe = "import ipsworks.settings as s; print(s.DATA_DIR)"

    def run(**extra):
        return subprocess.run(
            [sys.executable, "-c", probe],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )

    refused = run()
    assert refused.returncode != 0
    assert "Set IPSWORKS_DATA_DIR" in refused.stderr
    given = run(IPSWORKS_DATA_DIR=str(tmp_path / "data"))
    assert given.returncode == 0, given.stderr
    assert given.stdout.strip() == str(tmp_path / "data")
    assert run(IPSWORKS_ENV="demo").returncode == 0  # only production insists


def test_deploy_check_reports_production_email_that_is_only_printed():
    """Django's own deploy check (mail.E001) catches the console backend, which production
    gets when IPSWORKS_EMAIL_URL is not set: return reminders would reach no one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSWORKS_")}
    env.update({"IPSWORKS_SECRET_KEY": "x" * 60, "IPSWORKS_HSTS_SECONDS": "60"})
    command = [sys.executable, "-m", "ipsworks.cli", "check", "--deploy"]
    printed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert printed.returncode != 0 and "mail.E001" in printed.stderr
    env["IPSWORKS_EMAIL_URL"] = "smtp+tls://user:pass@mail.example.org:587"
    sent = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert "mail.E001" not in sent.stderr + sent.stdout


@pytest.mark.parametrize("env", ["demo", "development", "test"])
def test_debug_is_off_unless_asked_for(env):
    result = run_settings({"IPSWORKS_ENV": env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_debug_turns_on_only_through_the_environment_variable():
    result = run_settings({"IPSWORKS_ENV": "development", "IPSWORKS_DEBUG": "1"})
    assert result.stdout.split()[0] == "True"


def test_unknown_environment_name_is_a_clear_error():
    result = run_settings({"IPSWORKS_ENV": "prod"})
    assert result.returncode != 0
    assert "is not one of production, demo, development, test" in result.stderr


def test_security_headers_on_every_page(client, db):
    response = client.get("/account/sign-in/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
