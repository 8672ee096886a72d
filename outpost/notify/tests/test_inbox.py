"""The inbox pages and API: a user sees only their own messages; opening one marks it read;
the header shows the unread count."""

import json

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.notify.tests.factories import InboxMessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def colleague(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="colleague")


def test_the_inbox_lists_only_the_users_own_messages(client, officer_a, colleague):
    mine = InboxMessageFactory(recipient=officer_a, subject="张三 已分配给您")
    theirs = InboxMessageFactory(recipient=colleague, subject="李四 已分配给您")
    client.force_login(officer_a)
    page = client.get(reverse("notify:inbox")).content.decode()
    assert mine.subject in page and theirs.subject not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_the_header_counts_unread_messages_and_opening_one_reads_it(client, officer_a):
    first = InboxMessageFactory(recipient=officer_a)
    InboxMessageFactory(recipient=officer_a)
    client.force_login(officer_a)
    assert '<span class="inbox-badge" aria-label="2 unread messages">2</span>' in (
        client.get(reverse("home")).content.decode()
    )
    client.get(first.get_absolute_url())
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'aria-label="1 unread message"' in client.get(reverse("home")).content.decode()


def test_mark_all_read_empties_the_unread_list(client, officer_a):
    InboxMessageFactory.create_batch(3, recipient=officer_a)
    client.force_login(officer_a)
    client.post(reverse("notify:inbox_read_all"))
    page = client.get(reverse("notify:inbox"), {"unread": "1"}).content.decode()
    assert "No messages." in page
    assert "inbox-badge" not in page


def test_marking_one_read_with_htmx_returns_its_row(client, officer_a, colleague):
    message = InboxMessageFactory(recipient=officer_a)
    other = InboxMessageFactory(recipient=colleague)
    client.force_login(officer_a)
    url = reverse("notify:message_read", args=[message.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert f'id="message-{message.pk}"' in response.content.decode()
    assert "Mark read" not in response.content.decode()
    assert client.post(reverse("notify:message_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_the_api_gives_the_callers_own_messages_only(client, officer_a, colleague):
    mine = InboxMessageFactory(recipient=officer_a)
    theirs = InboxMessageFactory(recipient=colleague)
    assert client.get("/api/v1/notify/inbox").status_code == 401
    client.force_login(officer_a)
    items = json.loads(client.get("/api/v1/notify/inbox").content)["items"]
    assert [item["id"] for item in items] == [mine.pk]
    assert client.post(f"/api/v1/notify/inbox/{theirs.pk}/read").status_code == 404
    read = json.loads(client.post(f"/api/v1/notify/inbox/{mine.pk}/read").content)
    assert read["read_at"] is not None
