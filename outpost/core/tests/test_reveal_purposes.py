"""The reveal dialog offers preset purposes (verify identity, phone contact, dispatch from
above, other) and states the minimum; only "other" needs words, and a refusal names the
field. The purpose is stored on the access-log row and shown in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from outpost.core.choices import RevealPurpose
from outpost.core.models import AccessLog
from outpost.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(district):
    return ResidentFactory(household__unit=district.grid_a1, phone="13812345678")


def test_the_dialog_offers_the_preset_purposes_and_states_the_minimum(client, officer_a, resident):
    client.force_login(officer_a)
    with translation.override("zh-hans"):
        page = client.get(resident.get_absolute_url()).content.decode()
    for label in ("核查身份", "电话联系", "上级调度", "其他"):
        assert label in page
    assert "仅查看本项工作所需的信息" in page


@pytest.mark.parametrize(
    "purpose",
    [RevealPurpose.VERIFY_IDENTITY, RevealPurpose.PHONE_CONTACT, RevealPurpose.DISPATCH],
)
def test_a_preset_purpose_reveals_without_typing(client, officer_a, resident, purpose):
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]), {"purpose": purpose}
    )

    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.purpose, entry.reason) == (purpose, "")


def test_other_without_words_is_refused_naming_the_field(client, officer_a, resident):
    client.force_login(officer_a)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": RevealPurpose.OTHER, "reason": ""},
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert "The purpose in your words:" in content
    assert "13812345678" not in content
    assert AccessLog.objects.count() == 0


def test_other_with_words_keeps_them_as_the_reason(client, officer_a, resident):
    client.force_login(officer_a)

    client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": RevealPurpose.OTHER, "reason": "核对户籍迁入材料"},
    )

    entry = AccessLog.objects.get()
    assert (entry.purpose, entry.reason) == (RevealPurpose.OTHER, "核对户籍迁入材料")


def test_an_unknown_purpose_is_refused(client, officer_a, resident):
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]), {"purpose": "curious"}
    )

    assert response.status_code == 422
    assert AccessLog.objects.count() == 0
