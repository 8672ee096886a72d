"""Enterprise pages as an officer and as a liaison: list, detail, new, edit, contacts,
"my enterprise", and a liaison kept to its own enterprise."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.models import Enterprise, EnterpriseContact
from outpost.enterprises.panels import _PANELS, register_enterprise_panel
from outpost.enterprises.tests.factories import (
    EnterpriseContactFactory,
    EnterpriseFactory,
    credit_code,
    liaison_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def enterprises(district):
    return {
        "A": EnterpriseFactory(unit=district.grid_a1, name="甲食品厂", sector=Sector.FOOD),
        "A_essential": EnterpriseFactory(unit=district.grid_a2, name="甲保供厂", is_essential=True),
        "B": EnterpriseFactory(unit=district.grid_b1, name="乙物流公司"),
    }


def test_the_officer_lists_the_enterprises_of_the_community(client, officer_a, enterprises):
    client.force_login(officer_a)
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "甲食品厂" in page
    assert "甲保供厂" in page
    assert "乙物流公司" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"essential": "yes"}, "甲保供厂", "甲食品厂"),
        ({"sector": "food"}, "甲食品厂", "甲保供厂"),
        ({"q": "食品"}, "甲食品厂", "甲保供厂"),
        ({"status": "suspended"}, None, "甲食品厂"),
    ],
)
def test_the_list_filters(client, officer_a, enterprises, district, query, shown, hidden):
    client.force_login(officer_a)
    page = client.get(reverse("enterprises:list"), query).content.decode()
    if shown:
        assert shown in page
    assert hidden not in page


def test_the_list_finds_an_enterprise_by_its_credit_code(client, officer_a, enterprises):
    client.force_login(officer_a)
    code = enterprises["A"].credit_code
    page = client.get(reverse("enterprises:list"), {"q": code.lower()}).content.decode()
    assert "甲食品厂" in page
    assert "甲保供厂" not in page


def test_the_list_filters_by_grid(client, officer_a, enterprises, district):
    client.force_login(officer_a)
    page = client.get(reverse("enterprises:list"), {"unit": district.grid_a2.pk}).content.decode()
    assert "甲保供厂" in page
    assert "甲食品厂" not in page


def test_the_detail_shows_contacts_masked(client, officer_a, enterprises):
    EnterpriseContactFactory(enterprise=enterprises["A"], name="王经理", phone="13911112222")
    client.force_login(officer_a)
    page = client.get(enterprises["A"].get_absolute_url()).content.decode()
    assert "王经理" in page
    assert "139****2222" in page
    assert "13911112222" not in page


def test_revealing_a_contacts_phone_needs_a_purpose_and_is_logged(client, officer_a, enterprises):
    contact = EnterpriseContactFactory(enterprise=enterprises["A"], phone="13911112222")
    client.force_login(officer_a)
    url = reverse("enterprises:contact_reveal", args=[contact.pk])
    assert client.post(url, {}).status_code == 422
    response = client.post(url, {"purpose": "phone_contact"})
    assert "13911112222" in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(contact.pk), fields=["phone"]).count() == 1


def test_the_officer_registers_an_enterprise(client, officer_a, district):
    client.force_login(officer_a)
    code = credit_code(4242)
    response = client.post(
        reverse("enterprises:new"),
        {
            "name": "甲口罩厂",
            # As typed from a licence: lower case, spaces.
            "credit_code": f" {code[:9].lower()} {code[9:]} ",
            "unit": district.grid_a1.pk,
            "sector": Sector.MEDICAL,
            "employees": "80",
            "is_essential": "on",
            "status": EnterpriseStatus.RESUMED,
        },
    )
    enterprise = Enterprise.objects.get(name="甲口罩厂")
    assert response.status_code == 302
    assert response["Location"] == enterprise.get_absolute_url()
    assert enterprise.credit_code == code
    assert enterprise.is_essential
    assert enterprise.history.first().history_user == officer_a


def test_a_wrong_check_character_is_named_and_nothing_is_written(client, officer_a, district):
    client.force_login(officer_a)
    code = credit_code(4242)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        reverse("enterprises:new"),
        {
            "name": "甲口罩厂",
            "credit_code": wrong,
            "unit": district.grid_a1.pk,
            "sector": Sector.MEDICAL,
            "status": EnterpriseStatus.OPEN,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Unified social credit code" in page
    assert "check character" in page
    assert not Enterprise.objects.exists()


def test_a_credit_code_registered_twice_is_refused(client, officer_a, enterprises, district):
    client.force_login(officer_a)
    response = client.post(
        reverse("enterprises:new"),
        {
            "name": "另一家",
            "credit_code": enterprises["A"].credit_code,
            "unit": district.grid_a1.pk,
            "sector": Sector.OTHER,
            "status": EnterpriseStatus.OPEN,
        },
    )
    assert response.status_code == 422
    assert "already registered" in response.content.decode()
    assert Enterprise.objects.count() == 3


def test_a_unit_of_another_community_is_a_404(client, officer_a, district):
    client.force_login(officer_a)
    response = client.post(
        reverse("enterprises:new"),
        {
            "name": "甲口罩厂",
            "credit_code": credit_code(4242),
            "unit": district.grid_b1.pk,
            "sector": Sector.MEDICAL,
            "status": EnterpriseStatus.OPEN,
        },
    )
    assert response.status_code == 404
    assert not Enterprise.objects.exists()


def test_the_officer_edits_an_enterprise(client, officer_a, enterprises, district):
    client.force_login(officer_a)
    enterprise = enterprises["A"]
    url = reverse("enterprises:edit", args=[enterprise.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "unit": district.grid_a2.pk,
            "sector": enterprise.sector,
            "status": EnterpriseStatus.SUSPENDED,
        },
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.SUSPENDED
    assert enterprise.unit == district.grid_a2


def test_a_liaison_gets_a_404_on_another_enterprise(client, enterprises):
    liaison = liaison_of(enterprises["A"])
    client.force_login(liaison)
    assert client.get(enterprises["A"].get_absolute_url()).status_code == 200
    # The neighbour in the same grid's community, and one of another community.
    assert client.get(enterprises["A_essential"].get_absolute_url()).status_code == 404
    assert client.get(enterprises["B"].get_absolute_url()).status_code == 404
    contact = EnterpriseContactFactory(enterprise=enterprises["A_essential"])
    reveal = reverse("enterprises:contact_reveal", args=[contact.pk])
    assert client.post(reveal, {"purpose": "phone_contact"}).status_code == 404


def test_a_liaison_lists_only_its_own_enterprise(client, enterprises):
    client.force_login(liaison_of(enterprises["A"]))
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "甲食品厂" in page
    assert "甲保供厂" not in page


def test_a_liaison_may_not_edit_its_enterprise(client, enterprises):
    client.force_login(liaison_of(enterprises["A"]))
    assert client.get(reverse("enterprises:edit", args=[enterprises["A"].pk])).status_code in (
        403,
        404,
    )
    page = client.get(reverse("enterprises:mine")).content.decode()
    assert reverse("enterprises:edit", args=[enterprises["A"].pk]) not in page


def test_my_enterprise_opens_the_liaisons_own_page(client, enterprises):
    client.force_login(liaison_of(enterprises["A_essential"]))
    response = client.get(reverse("enterprises:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲保供厂" in page
    assert "甲食品厂" not in page


def test_my_enterprise_tells_an_unbound_liaison_what_to_do(client, district):
    client.force_login(staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a))
    response = client.get(reverse("enterprises:mine"))
    assert response.status_code == 200
    assert "not bound to an enterprise" in response.content.decode()


def test_the_liaison_adds_a_contact_to_its_enterprise(client, enterprises):
    client.force_login(liaison_of(enterprises["A"]))
    url = reverse("enterprises:contact_new", args=[enterprises["A"].pk])
    response = client.post(url, {"name": "李主任", "title": "办公室主任", "phone": "139 1111 3333"})
    assert response.status_code == 302
    contact = EnterpriseContact.objects.get(name="李主任")
    assert contact.phone == "13911113333"
    other = reverse("enterprises:contact_new", args=[enterprises["B"].pk])
    assert client.post(other, {"name": "赵", "phone": "13911114444"}).status_code == 404
    assert not EnterpriseContact.objects.filter(name="赵").exists()


def test_a_bad_phone_is_named_and_nothing_is_written(client, officer_a, enterprises):
    client.force_login(officer_a)
    url = reverse("enterprises:contact_new", args=[enterprises["A"].pk])
    response = client.post(url, {"name": "李主任", "phone": "12345"})
    assert response.status_code == 422
    assert "Phone" in response.content.decode()
    assert not EnterpriseContact.objects.exists()


def test_archiving_a_contact_keeps_it(client, officer_a, enterprises):
    contact = EnterpriseContactFactory(enterprise=enterprises["A"])
    client.force_login(officer_a)
    response = client.post(reverse("enterprises:contact_archive", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert not contact.is_active
    assert contact.archived_at is not None


def test_the_officer_binds_a_liaison(client, officer_a, enterprises, district):
    login = staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a, username="lia")
    client.force_login(officer_a)
    url = reverse("enterprises:liaison_new", args=[enterprises["A"].pk])
    response = client.post(url, {"user": login.pk})
    assert response.status_code == 302
    client.force_login(login)
    assert "甲食品厂" in client.get(reverse("enterprises:mine")).content.decode()


def test_a_login_without_the_liaison_role_cannot_be_bound(client, officer_a, enterprises):
    client.force_login(officer_a)
    url = reverse("enterprises:liaison_new", args=[enterprises["A"].pk])
    response = client.post(url, {"user": officer_a.pk})
    assert response.status_code == 422
    assert not enterprises["A"].liaisons.exists()


def test_a_registered_panel_shows_on_the_page(client, officer_a, enterprises):
    register_enterprise_panel(
        "core/partials/revealed.html",
        lambda *, user, enterprise: {"values": [("Panel", f"面板 {enterprise.name}")]},
        order=5,
    )
    try:
        client.force_login(officer_a)
        page = client.get(enterprises["A"].get_absolute_url()).content.decode()
        assert "面板 甲食品厂" in page
    finally:
        _PANELS.pop("core/partials/revealed.html", None)


def test_the_liaisons_menu_and_bottom_bar_lead_to_its_enterprise(client, enterprises):
    client.force_login(liaison_of(enterprises["A"]))
    context = client.get(reverse("home")).context
    menu = {item["url"] for item in context["nav_items"]}
    bar = [item["url"] for item in context["nav_bar"]]
    assert reverse("enterprises:mine") in menu
    assert reverse("enterprises:list") not in menu
    assert reverse("enterprises:mine") in bar


def test_the_officers_menu_has_the_registry(client, officer_a, enterprises):
    client.force_login(officer_a)
    menu = {item["url"] for item in client.get(reverse("home")).context["nav_items"]}
    assert reverse("enterprises:list") in menu
    assert reverse("enterprises:mine") not in menu
