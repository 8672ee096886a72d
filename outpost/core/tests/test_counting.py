"""Counts read together are the counts each queryset gives alone."""

import pytest
from django.db.models import Q

from outpost.core.counting import count_together
from outpost.core.models import Unit

pytestmark = pytest.mark.django_db


def test_each_count_is_the_querysets_own(district):
    querysets = [
        Unit.objects.all(),
        Unit.objects.filter(kind="grid"),
        Unit.objects.filter(path__startswith=district.community_a.path).order_by("-path"),
        Unit.objects.none(),
        Unit.objects.filter(pk__in=[]),
        # A join that repeats a parent once per child, as count() counts it.
        Unit.objects.filter(children__isnull=False),
        Unit.objects.filter(children__isnull=False).distinct(),
        # Chosen values are counted as they are (distinct kinds, not units).
        Unit.objects.values_list("kind").distinct(),
        Unit.objects.filter(Q(name__contains="%") | Q(name__contains="_")),
    ]
    expected = [queryset.count() for queryset in querysets]

    assert count_together(querysets) == expected
    assert expected[0] > expected[1] > 0 and expected[3] == 0
    assert expected[5] > expected[6] and expected[7] < expected[0]


def test_nothing_to_count_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_together([]) == []


def test_many_counts_are_one_query(district, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = count_together([Unit.objects.filter(depth=depth) for depth in range(6)])
    assert sum(counts) == Unit.objects.count()
