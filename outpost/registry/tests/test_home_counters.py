"""The home page's counters are the lists their tiles open (DESIGN rule 7)."""

import pytest
from django.urls import reverse

from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory


@pytest.mark.django_db
def test_each_home_counter_is_the_length_of_the_list_it_opens(client, officer_a, district):
    household = HouseholdFactory(unit=district.grid_a1)
    ResidentFactory(household=household)
    ResidentFactory(household=household, is_active=False)  # moved out: still on the list
    kept = ResidentFactory(household=household)
    ResidentFactory(household=household, merged_into=kept, is_active=False)  # merged: not
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))  # another community
    client.force_login(officer_a)

    tiles = {t["url_name"]: t["count"] for t in client.get(reverse("home")).context["tiles"]}
    residents = client.get(reverse("registry:resident_list")).context["paginator"].count
    households = client.get(reverse("registry:household_list")).context["paginator"].count

    shown = (tiles["registry:resident_list"], tiles["registry:household_list"])
    assert shown == (residents, households) == (3, 1)
