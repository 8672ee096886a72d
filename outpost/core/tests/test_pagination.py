"""Long lists page by their keys, keep their filters from page to page, and jump to any
page (分页)."""

import re

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from outpost.core import pagination
from outpost.core.pagination import AFTER, BEFORE, DeferredPaginator
from outpost.registry.models import Resident
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.registry.views import ResidentListView


@pytest.fixture(autouse=True)
def deferred_from_the_first_row(monkeypatch):
    """The lists here are short: read them as a long list's far pages are read."""
    monkeypatch.setattr(pagination, "DEFER_FROM", 0)


@pytest.fixture
def many_residents(district):
    household = HouseholdFactory(unit=district.grid_a1)
    for index in range(23):
        # Names that sort apart from their keys, some shared: the page follows the list's order.
        ResidentFactory(household=household, name=f"居民{(index * 7) % 10}")
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), name="居民0")


@pytest.mark.django_db
def test_every_page_holds_the_rows_djangos_paginator_would(many_residents, officer_a):
    rows = Resident.objects.visible_to(officer_a).order_by("name", "pk")
    deferred, plain = DeferredPaginator(rows, 5, orphans=1), Paginator(rows, 5, orphans=1)

    assert deferred.count == plain.count == 23
    assert deferred.num_pages == plain.num_pages
    for number in deferred.page_range:
        assert list(deferred.page(number)) == list(plain.page(number))


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", [("name", "pk"), ("-name", "-pk"), ("-birth_date", "name")])
def test_next_and_previous_read_by_key_give_the_pages_read_by_position(
    many_residents, officer_a, ordering
):
    rows = Resident.objects.visible_to(officer_a).order_by(*ordering)
    by_position = [list(DeferredPaginator(rows, 5).page(n)) for n in range(1, 6)]

    forward = [by_position[0]]
    for number in range(2, 6):
        paginator = DeferredPaginator(rows, 5)
        paginator.cursor = (AFTER, forward[-1][-1].pk)
        forward.append(list(paginator.page(number)))
    backward = [by_position[-1]]
    for number in range(4, 0, -1):
        paginator = DeferredPaginator(rows, 5)
        paginator.cursor = (BEFORE, backward[0][0].pk)
        backward.insert(0, list(paginator.page(number)))

    assert forward == backward == by_position
    assert sum(len(page) for page in by_position) == 23


@pytest.mark.django_db
def test_a_cursor_row_outside_the_list_falls_back_to_the_position(many_residents, officer_a):
    rows = Resident.objects.visible_to(officer_a).order_by("name", "pk")
    other = Resident.objects.exclude(pk__in=rows.values("pk")).get()
    paginator = DeferredPaginator(rows, 5)
    paginator.cursor = (AFTER, other.pk)

    assert list(paginator.page(3)) == list(DeferredPaginator(rows, 5).page(3))


@pytest.mark.django_db
def test_a_list_of_rows_not_from_a_queryset_is_paged_as_usual():
    paginator = DeferredPaginator(list(range(12)), 5)

    assert paginator.count == 12 and list(paginator.page(3)) == [10, 11]


@pytest.mark.django_db
def test_page_links_keep_the_search_and_a_jump_form_carries_it(
    client, many_residents, officer_a, monkeypatch
):
    monkeypatch.setattr(ResidentListView, "paginate_by", 5)
    client.force_login(officer_a)
    url = reverse("registry:resident_list")

    page = client.get(url, {"q": "居民", "page": 2, "per": "x"}).content.decode()
    nav = page[page.index('class="pagination"') :]

    links = re.findall(r'href="\?([^"]+)"', nav)
    assert links and all("q=%E5%B1%85%E6%B0%91" in link and "per=x" in link for link in links)
    assert 'aria-current="page" class="page-current">2<' in nav
    assert '<input type="hidden" name="q" value="居民">' in nav
    following = re.search(r'href="\?([^"]+)" rel="next"', nav).group(1)
    assert "after=" in following and "page=3" in following
    assert 'name="page" min="1"' in nav
