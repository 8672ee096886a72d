"""Behind a TLS proxy: the trusted proxies' X-Forwarded-Proto / -For are believed, no one else's."""

import http.client
import threading

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from waitress.server import create_server

from outpost.core.management.commands.serve import waitress_options
from outpost.core.tests.factories import TEST_PASSWORD

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"


@pytest.fixture
def behind_proxy(settings):
    """Production's HTTPS settings, with one nginx in front at 10.0.0.5."""
    settings.OUTPOST_TRUSTED_PROXIES = [PROXY]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    return settings


def _via_proxy(client, url, *, client_address=CLIENT, proto="https", **extra):
    return client.get(
        url,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO=proto,
        HTTP_X_FORWARDED_FOR=client_address,
        **extra,
    )


def _failed_login(client, username, client_address):
    return client.post(
        reverse("login"),
        {"username": username, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_https_through_the_trusted_proxy_is_served_with_hsts(client, behind_proxy):
    response = _via_proxy(client, reverse("login"))
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_through_the_trusted_proxy_is_redirected_to_https(client, behind_proxy):
    response = _via_proxy(client, reverse("login"), proto="http")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_forwarded_https_from_an_untrusted_address_is_not_believed(client, behind_proxy):
    response = client.get(
        reverse("login"), REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301


@pytest.mark.django_db
def test_lockout_is_keyed_on_the_client_address_the_proxy_forwards(client, behind_proxy, officer_a):
    _failed_login(client, "officer_a", CLIENT)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


@pytest.mark.django_db
def test_forwarded_for_from_an_untrusted_address_is_not_believed(client, behind_proxy, officer_a):
    client.post(
        reverse("login"),
        {"username": "officer_a", "password": "wrong-password"},
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_FORWARDED_FOR=CLIENT,
        secure=True,
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]


@pytest.mark.django_db
def test_addresses_a_client_prepends_to_forwarded_for_are_ignored(client, behind_proxy, officer_a):
    _failed_login(client, "officer_a", f"192.0.2.1, {CLIENT}")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


@pytest.mark.django_db
def test_a_locked_out_address_does_not_lock_the_user_out_elsewhere(client, behind_proxy, officer_a):
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        _failed_login(client, "officer_a", CLIENT)
    response = client.post(
        reverse("login"),
        {"username": "officer_a", "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_outpost_serve_passes_the_proxy_headers_through_waitress(behind_proxy):
    """The deployment as the README has it: waitress as `outpost serve` runs it, the proxy
    sending X-Forwarded-Proto. Waitress's defaults drop the header: a redirect loop."""
    from outpost.wsgi import application

    behind_proxy.OUTPOST_TRUSTED_PROXIES = ["127.0.0.1"]
    behind_proxy.ALLOWED_HOSTS = ["outpost.example.org"]
    options = waitress_options(host="127.0.0.1", port=0, threads=1)
    server = create_server(application, **options)

    def run():
        try:
            server.run()
        except OSError:  # closing the socket under the running loop
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        connection.request(
            "GET",
            reverse("login"),
            headers={"Host": "outpost.example.org", "X-Forwarded-Proto": "https"},
        )
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Strict-Transport-Security")
    finally:
        server.close()


@pytest.mark.django_db
def test_the_access_log_records_the_client_address_behind_the_proxy(
    client, behind_proxy, officer_a, district
):
    from outpost.core.models import AccessLog
    from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(officer_a)
    client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": "other", "reason": "核实返连人员身份"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == [CLIENT]
