"""Log-in: argon2 hashes, lockout after repeated failures, admin for administrators only."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from outpost.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(officer_a):
    assert User.objects.get(pk=officer_a.pk).password.startswith("argon2")


def test_good_password_logs_in_and_lands_on_home(client, officer_a):
    response = _login(client, "officer_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_on_the_form(client, officer_a):
    response = _login(client, "officer_a", "not-the-password")
    assert response.status_code == 200
    assert "error-box" in response.content.decode()


def test_account_locks_after_five_failures_even_with_the_right_password(client, officer_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "officer_a", "wrong-password")
    response = _login(client, "officer_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_ends_with_the_working_day(client, officer_a):
    _login(client, "officer_a", TEST_PASSWORD)
    assert client.session.get_expiry_age() <= 10 * 60 * 60
    assert client.session.get_expire_at_browser_close()


def test_admin_site_is_for_administrators_only(client, officer_a, admin_user):
    client.force_login(officer_a)
    assert client.get("/admin/").status_code == 302  # to the admin log-in, not the index
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200


def test_admin_site_does_not_list_residents(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/registry/resident/").status_code == 404


def test_logout_needs_post_and_ends_the_session(client, officer_a):
    client.force_login(officer_a)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
