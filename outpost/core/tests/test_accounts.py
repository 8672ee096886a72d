"""Accounts: own password, administrators' users and lockouts (scoped, audited), reset by
email where email is set up, and `outpost user`."""

import io
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from outpost.core.accounts.services import LOCKOUT_ALERT_FAILURES
from outpost.core.choices import AccountAction, Role
from outpost.core.models import AccountEvent, DemoPassword
from outpost.core.tests.factories import TEST_PASSWORD, staff_user
from outpost.notify.models import InboxMessage, OutboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW_PASSWORD = "harbour-lantern-4471"


@pytest.fixture
def admin_a(district):
    """Administrator of community A: manages the logins of community A only."""
    return staff_user(role=Role.ADMINISTRATOR, unit=district.community_a, username="admin_a")


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


def _logs_in(username, password) -> bool:
    from django.test import Client

    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _events(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).values_list("action", flat=True))


def _shown_password(response) -> str:
    content = response.content.decode()
    match = re.search(r'value="([^"]+)" class="copy-field', content)
    assert match, content
    return match.group(1)


def _fail_login(client, username, address):
    client.post(
        reverse("login"),
        {"username": username, "password": "wrong-password"},
        REMOTE_ADDR=address,
    )


# ------------------------------------------------------------------ own password


def test_a_user_changes_their_own_password(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _logs_in("officer_a", NEW_PASSWORD)
    assert not _logs_in("officer_a", TEST_PASSWORD)
    assert _events(officer_a) == [AccountAction.PASSWORD_CHANGED]


def test_a_user_stays_logged_in_after_changing_their_password(client, officer_a):
    client.force_login(officer_a)
    client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert client.get(reverse("home")).status_code == 200


def test_a_password_change_needs_the_current_password(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert _events(officer_a) == []


def test_changing_the_demo_password_ends_the_demo_login(client, district):
    shared = make_password(TEST_PASSWORD)
    DemoPassword.objects.create(password_hash=shared)
    grid = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid001")
    User.objects.filter(pk=grid.pk).update(password=shared)
    client.force_login(User.objects.get(pk=grid.pk))
    client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    from outpost.core.selectors import demo_password_usernames

    assert demo_password_usernames() == []


# ------------------------------------------------------------------ users of a subtree


def test_an_administrator_lists_the_users_of_their_subtree_only(
    client, admin_a, officer_a, officer_b
):
    client.force_login(admin_a)
    content = client.get(reverse("core:user_list")).content.decode()
    assert "officer_a" in content
    assert "officer_b" not in content


def test_another_units_user_is_a_404(client, admin_a, officer_b):
    client.force_login(admin_a)
    assert client.get(reverse("core:user_detail", args=[officer_b.pk])).status_code == 404
    assert client.get(reverse("core:user_edit", args=[officer_b.pk])).status_code == 404
    response = client.post(reverse("core:user_reset_password", args=[officer_b.pk]))
    assert response.status_code == 404
    assert _logs_in("officer_b", TEST_PASSWORD)


def test_staff_without_the_administrator_role_cannot_manage_users(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("core:user_list")).status_code == 403
    assert client.get(reverse("core:lockout_list")).status_code == 403
    assert client.get(reverse("core:user_detail", args=[officer_a.pk])).status_code == 404


def test_an_administrator_creates_a_user_who_logs_in_with_the_shown_password(
    client, admin_a, district
):
    client.force_login(admin_a)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "grid_new",
            "display_name": "王网格",
            "unit": district.grid_a2.pk,
            "roles": [Role.GRID_WORKER],
            "phone": "13800138000",
        },
    )
    assert response.status_code == 200
    password = _shown_password(response)
    assert _logs_in("grid_new", password)
    created = User.objects.get(username="grid_new")
    assert created.staff_profile.roles == [Role.GRID_WORKER]
    assert created.staff_profile.unit == district.grid_a2
    event = AccountEvent.objects.get(user=created)
    assert (event.action, event.actor) == (AccountAction.CREATED, admin_a)


def test_an_administrator_cannot_create_a_user_in_another_unit(client, admin_a, district):
    client.force_login(admin_a)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "grid_b_new",
            "display_name": "李",
            "unit": district.grid_b1.pk,
            "roles": [Role.GRID_WORKER],
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="grid_b_new").exists()


def test_an_administrator_resets_a_password_shown_once(client, admin_a, officer_a):
    client.force_login(admin_a)
    response = client.post(reverse("core:user_reset_password", args=[officer_a.pk]))
    password = _shown_password(response)
    assert _logs_in("officer_a", password)
    assert not _logs_in("officer_a", TEST_PASSWORD)
    assert _events(officer_a) == [AccountAction.PASSWORD_RESET]


def test_a_deactivated_user_cannot_log_in(client, admin_a, officer_a):
    client.force_login(admin_a)
    client.post(reverse("core:user_deactivate", args=[officer_a.pk]))
    assert not _logs_in("officer_a", TEST_PASSWORD)
    assert _events(officer_a) == [AccountAction.DEACTIVATED]
    client.post(reverse("core:user_reactivate", args=[officer_a.pk]))
    assert _logs_in("officer_a", TEST_PASSWORD)


def test_an_administrator_cannot_deactivate_themselves(client, admin_a):
    client.force_login(admin_a)
    client.post(reverse("core:user_deactivate", args=[admin_a.pk]))
    assert User.objects.get(pk=admin_a.pk).is_active


def test_a_login_with_the_demo_password_is_not_reactivated(client, admin_a, officer_a):
    DemoPassword.objects.create(password_hash=officer_a.password)
    User.objects.filter(pk=officer_a.pk).update(is_active=False)
    client.force_login(admin_a)
    client.post(reverse("core:user_reactivate", args=[officer_a.pk]))
    assert not User.objects.get(pk=officer_a.pk).is_active


def test_role_and_unit_changes_are_in_the_account_log(client, admin_a, officer_a, district):
    client.force_login(admin_a)
    response = client.post(
        reverse("core:user_edit", args=[officer_a.pk]),
        {
            "display_name": "officer_a",
            "unit": district.grid_a1.pk,
            "roles": [Role.POLICE_OFFICER, Role.COMMUNITY_CADRE],
        },
    )
    assert response.status_code == 302
    officer = User.objects.get(pk=officer_a.pk)
    assert set(officer.staff_profile.roles) == {Role.POLICE_OFFICER, Role.COMMUNITY_CADRE}
    assert set(_events(officer)) == {AccountAction.UNIT_CHANGED, AccountAction.ROLES_CHANGED}
    page = client.get(reverse("core:user_detail", args=[officer_a.pk])).content.decode()
    assert "Roles changed" in page


# ------------------------------------------------------------------ lockouts


def test_an_administrator_sees_and_clears_a_lockout(client, admin_a, officer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, "officer_a", "203.0.113.7")
    client.force_login(admin_a)
    assert "203.0.113.7" in client.get(reverse("core:lockout_list")).content.decode()
    client.post(reverse("core:user_unlock", args=[officer_a.pk]))
    assert not AccessAttempt.objects.filter(username="officer_a").exists()
    assert _events(officer_a) == [AccountAction.LOCKOUT_CLEARED]


def test_another_units_lockouts_are_not_listed(client, admin_a, officer_b, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, "officer_b", "203.0.113.7")
    client.force_login(admin_a)
    assert "203.0.113.7" not in client.get(reverse("core:lockout_list")).content.decode()


def test_many_failures_from_many_addresses_alert_the_administrators_once(
    client, admin_a, admin_user, officer_a, officer_b
):
    for n in range(LOCKOUT_ALERT_FAILURES + 5):
        _fail_login(client, "officer_a", f"203.0.113.{n // 5 + 1}")
    alerts = InboxMessage.objects.filter(kind="alert")
    assert sorted(a.recipient.username for a in alerts) == ["admin", "admin_a"]
    assert _logs_in("officer_a", TEST_PASSWORD)  # from an address of its own


# ------------------------------------------------------------------ reset by email


def test_reset_by_email_does_not_exist_without_email_set_up(client):
    assert client.get(reverse("password_reset")).status_code == 404
    assert "Your administrator can reset it" in client.get(reverse("login")).content.decode()


def test_reset_by_email_sets_a_new_password(client, officer_a, settings):
    settings.NOTIFY = {**settings.NOTIFY, "email": "django"}
    User.objects.filter(pk=officer_a.pk).update(email="officer_a@example.org")
    client.post(reverse("password_reset"), {"email": "officer_a@example.org"})
    message = OutboundMessage.objects.get(channel="email")
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert _logs_in("officer_a", NEW_PASSWORD)
    event = AccountEvent.objects.get(user=officer_a)
    assert (event.action, event.actor) == (AccountAction.PASSWORD_RESET_BY_EMAIL, None)


# ------------------------------------------------------------------ outpost user


def _user_command(*args) -> str:
    out = io.StringIO()
    call_command("user", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_user_and_prints_the_password(admin_a, district):
    out = _user_command(
        "create", "cadre_new", "--name", "赵干部", "--unit", "CA", "--role", "community_cadre",
        "--user", "admin_a",
    )  # fmt: skip
    password = out.strip().rsplit(" ", 1)[-1]
    assert _logs_in("cadre_new", password)


def test_the_command_resets_deactivates_sets_roles_and_unlocks(admin_a, officer_a, client):
    password = _user_command("reset-password", "officer_a", "--user", "admin_a").split()[-1]
    assert _logs_in("officer_a", password)
    _user_command("set-role", "officer_a", "--role", "analyst", "--user", "admin_a")
    assert User.objects.get(pk=officer_a.pk).staff_profile.roles == [Role.ANALYST]
    _fail_login(client, "officer_a", "203.0.113.7")
    _user_command("unlock", "officer_a", "--user", "admin_a")
    assert not AccessAttempt.objects.filter(username="officer_a").exists()
    _user_command("deactivate", "officer_a", "--user", "admin_a")
    assert not User.objects.get(pk=officer_a.pk).is_active
    assert len(_events(officer_a)) == 4


def test_the_command_refuses_a_login_of_another_unit(admin_a, officer_b):
    with pytest.raises(CommandError, match="officer_b"):
        _user_command("reset-password", "officer_b", "--user", "admin_a")
