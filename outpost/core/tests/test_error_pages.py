"""Error pages: 403, 404, 429 and 500 in the app's shell, in Chinese, with a way back; the
API keeps JSON errors."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.errors import server_error
from outpost.core.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_styled_chinese_404_with_a_way_home(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="topbar"' in page and "页面不存在" in page
    assert f'href="{reverse("home")}"' in page
    assert "<h1>Not Found</h1>" not in page


def test_a_record_outside_the_jurisdiction_gets_the_same_styled_404(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("registry:resident_detail", args=[999999]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_an_anonymous_404_offers_the_log_in_page(client):
    page = client.get("/no-such-page/").content.decode()
    assert f'href="{reverse("login")}"' in page


def test_a_page_the_role_may_not_open_is_a_styled_chinese_403(client, district):
    liaison = staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a)
    client.force_login(liaison)
    response = client.get(reverse("registry:resident_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="topbar"' in page and "无权" in page
    assert f'href="{reverse("home")}"' in page


def test_the_api_keeps_json_errors(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_the_500_page_is_styled_and_needs_no_database():
    request = RequestFactory().get("/registry/residents/")
    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert 'class="topbar"' in page and "出错" in page and 'href="/"' in page
    assert len(queries) == 0


def test_the_500_of_the_api_is_json():
    response = server_error(RequestFactory().get("/api/v1/registry/residents"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")


def test_a_locked_out_log_in_is_a_styled_429(client, officer_a):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 429
    page = response.content.decode()
    assert 'class="topbar"' in page and f'href="{reverse("login")}"' in page
