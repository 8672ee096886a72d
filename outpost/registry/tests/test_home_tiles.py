"""The home page's registry tiles, registered by the registry app: each counts the rows of
the list it opens, in the user's part of the tree."""

import re

import pytest
from django.urls import reverse

from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _tile(page: str, url: str) -> str:
    match = re.search(
        rf'<a class="tile" href="{re.escape(url)}"><span class="tile-number">([^<]*)</span>'
        r"<span>([^<]*)</span>",
        page,
    )
    return match and f"{match[1]} {match[2]}"


def test_the_home_tiles_count_the_households_and_residents_the_user_sees(
    client, district, officer_a
):
    household = HouseholdFactory(unit=district.grid_a1)
    ResidentFactory.create_batch(2, household=household)
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    client.force_login(officer_a)
    page = client.get(reverse("home")).content.decode()
    assert _tile(page, reverse("registry:household_list")) == "1 Households"
    assert _tile(page, reverse("registry:resident_list")) == "2 Residents"
