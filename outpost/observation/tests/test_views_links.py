"""Staff issue a self-report link (shown once, sent by SMS) and can stop it."""

import re

import pytest
from django.urls import reverse

from outpost.notify.models import OutboundMessage
from outpost.observation.tests.factories import episode_in

pytestmark = pytest.mark.usefixtures("english")


def test_issuing_a_link_sends_it_and_shows_it_once(client, district, officer_a):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(reverse("observation:link_issue", args=[episode.pk]))

    content = response.content.decode()
    url = re.search(r'value="(http[^"]+/observation/r/[^"]+/)"', content).group(1)
    assert "The link was sent by SMS to" in content
    assert episode.key_person.resident.masked_phone in content
    message = OutboundMessage.objects.get()
    assert url in message.body and message.address == episode.key_person.resident.phone
    path = url.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    assert client.get("/" + path).status_code == 200  # the person's own form, no login


def test_a_stopped_link_no_longer_opens_the_form(client, district, officer_a):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)
    issued = client.post(reverse("observation:link_issue", args=[episode.pk]))
    url = re.search(r'value="(http[^"]+)"', issued.content.decode()).group(1)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    confirm = client.get(reverse("observation:link_revoke", args=[episode.pk]))
    client.post(reverse("observation:link_revoke", args=[episode.pk]))

    assert "will stop working at once" in confirm.content.decode()
    client.logout()
    assert client.get(path).status_code == 410


def test_another_community_cannot_issue_a_link(client, district, officer_a):
    episode = episode_in(district.grid_b1)
    client.force_login(officer_a)
    assert client.post(reverse("observation:link_issue", args=[episode.pk])).status_code == 404
    assert not OutboundMessage.objects.exists()
