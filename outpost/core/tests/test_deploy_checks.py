"""`outpost check --deploy`: Outpost's own production checks, and `serve` refusing the demo."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from outpost.core.models import DemoPassword

pytestmark = pytest.mark.django_db


def _deploy_errors() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("outpost")}


@pytest.fixture
def private_var(settings, tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    settings.VAR_DIR = var
    return var


@pytest.fixture
def demo_login():
    shared = make_password("haibin-xinghai-dengta-123")
    DemoPassword.objects.create(password_hash=shared)
    return User.objects.create(username="grid001", password=shared)


def test_behind_a_tls_proxy_without_trusted_proxies_fails(settings, private_var):
    settings.OUTPOST_BASE_URL = "https://outpost.example.org"
    settings.OUTPOST_TRUSTED_PROXIES = []
    assert "outpost.E002" in _deploy_errors()


def test_production_without_ssl_redirect_counts_as_behind_a_proxy(settings, private_var):
    settings.PRODUCTION = True
    settings.SECURE_SSL_REDIRECT = False
    settings.OUTPOST_TRUSTED_PROXIES = []
    assert "outpost.E002" in _deploy_errors()


def test_behind_a_tls_proxy_with_its_address_trusted_passes(settings, private_var):
    settings.OUTPOST_BASE_URL = "https://outpost.example.org"
    settings.OUTPOST_TRUSTED_PROXIES = ["127.0.0.1"]
    assert _deploy_errors() == set()


def test_a_trusted_proxy_that_is_not_an_address_fails(settings, private_var):
    settings.OUTPOST_TRUSTED_PROXIES = ["nginx.internal"]
    assert "outpost.E001" in _deploy_errors()


def test_a_login_with_the_demo_password_fails(private_var, demo_login):
    assert "outpost.E003" in _deploy_errors()


def test_a_demo_login_with_its_own_password_passes(private_var, demo_login):
    demo_login.set_password("a-password-of-its-own-42")
    demo_login.save()
    assert _deploy_errors() == set()


def test_var_open_to_other_users_fails(private_var):
    private_var.chmod(0o755)
    assert "outpost.E004" in _deploy_errors()


def test_production_serve_refuses_to_start_while_a_login_has_the_demo_password(
    settings, demo_login
):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="grid001"):
        call_command("serve", "--no-worker", "--port", "0")


def test_the_demo_is_neither_built_nor_shown_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"production|生产模式"):
        call_command("demo", "--if-empty", "--scale", "0.01")
