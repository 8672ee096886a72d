"""Personal API tokens: no CSRF dance for a token, a real CSRF check for a session, expiry,
hashed keys, use in the access log; managed on a page, over the API and with `outpost token`."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import AccessAction
from outpost.core.models import AccessLog, ApiToken
from outpost.core.services import api_token_create

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens"


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_a_token_request_needs_no_csrf_token(officer_a):
    _token, key = api_token_create(acting_user=officer_a, name="数据对接")
    browserless = Client(enforce_csrf_checks=True)
    response = _post(browserless, TOKENS, {"name": "第二个"}, **_bearer(key))
    assert response.status_code == 201


def test_a_wrong_token_is_a_401_not_a_csrf_refusal():
    response = _post(Client(enforce_csrf_checks=True), TOKENS, {"name": "x"}, **_bearer("op_x"))
    assert response.status_code == 401


def test_a_session_request_without_the_csrf_token_is_refused(officer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_a)
    response = _post(browser, TOKENS, {"name": "数据对接"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_session_request_with_the_csrf_token_of_its_page_passes(client, officer_a, settings):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_a)
    browser.get(reverse("core:api_tokens"))
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = _post(browser, TOKENS, {"name": "数据对接"}, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201


def test_a_new_token_is_valid_for_90_days_and_shown_only_once(client, officer_a):
    client.force_login(officer_a)
    created = _post(client, TOKENS, {"name": "数据对接"}).json()
    expires = datetime.datetime.fromisoformat(created["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(
        minutes=1
    )
    assert created["key"].startswith("op_")
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(created["key"])
    assert created["key"] not in json.dumps(client.get(TOKENS).json())


def test_an_expired_token_is_refused(client, officer_a):
    token, key = api_token_create(acting_user=officer_a, name="数据对接", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/me", **_bearer(key)).status_code == 401


def test_an_expiry_beyond_a_year_is_a_422(client, officer_a):
    client.force_login(officer_a)
    response = _post(client, TOKENS, {"name": "数据对接", "expires_in_days": 400})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["expires_in_days"]


def test_each_use_of_a_token_is_in_the_access_log(client, officer_a):
    token, key = api_token_create(acting_user=officer_a, name="数据对接")
    client.get("/api/v1/registry/residents", **_bearer(key))
    entry = AccessLog.objects.get(action=AccessAction.TOKEN_USE)
    assert (entry.actor, entry.object_id) == (officer_a, str(token.pk))
    assert entry.subject == "GET /api/v1/registry/residents"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_api_lists_and_revokes_only_the_callers_own_tokens(client, officer_a, grid_worker_a1):
    own, key = api_token_create(acting_user=officer_a, name="自己的")
    other, _other_key = api_token_create(acting_user=grid_worker_a1, name="别人的")
    client.force_login(officer_a)
    assert [t["name"] for t in client.get(TOKENS).json()] == ["自己的"]
    assert _post(client, f"{TOKENS}/{other.pk}/revoke").status_code == 404
    revoked = _post(client, f"{TOKENS}/{own.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["usable"] is False
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_page_shows_a_new_key_once(client, officer_a):
    client.force_login(officer_a)
    page = reverse("core:api_tokens")
    response = client.post(page, {"name": "区卫健委数据对接", "expires_in_days": "30"})
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert key in response.content.decode()
    assert token.key_hash == ApiToken.hash_key(key)
    assert (token.expires_at - timezone.now()).days in (29, 30)
    again = client.get(page).content.decode()
    assert "区卫健委数据对接" in again and key not in again


def test_the_page_revokes_only_the_users_own_token(client, officer_a, grid_worker_a1):
    own, _key = api_token_create(acting_user=officer_a, name="自己的")
    other, _other_key = api_token_create(acting_user=grid_worker_a1, name="别人的")
    client.force_login(officer_a)
    assert client.post(reverse("core:api_token_revoke", args=[other.pk])).status_code == 404
    client.post(reverse("core:api_token_revoke", args=[own.pk]))
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None


def test_the_command_creates_lists_and_revokes_a_users_tokens(client, officer_a):
    out = io.StringIO()
    call_command(
        "token",
        "create",
        "--user",
        "officer_a",
        "--name",
        "夜间同步",
        stdout=out,
        stderr=io.StringIO(),
    )
    key = out.getvalue().strip()
    assert client.get("/api/v1/me", **_bearer(key)).json()["username"] == "officer_a"
    token = ApiToken.objects.get()
    listing = io.StringIO()
    call_command("token", "list", "--user", "officer_a", stdout=listing)
    assert "夜间同步" in listing.getvalue() and key not in listing.getvalue()
    call_command("token", "revoke", "--user", "officer_a", str(token.pk), stdout=io.StringIO())
    assert client.get("/api/v1/me", **_bearer(key)).status_code == 401
