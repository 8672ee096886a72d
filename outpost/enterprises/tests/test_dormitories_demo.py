"""The demo's dormitories: deterministic, a few offers, 14 days of stays, no bed twice."""

import datetime

import pytest
from django.db.models import Count

from outpost.demo.enterprise_dormitories import build_dormitories
from outpost.enterprises.models import DormitoryNight, DormitoryRequest, DormitoryStay
from outpost.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_the_demo_fills_offered_rooms_over_fourteen_days(district):
    enterprises = [EnterpriseFactory(unit=district.grid_a1) for _ in range(20)]
    today = datetime.date(2020, 2, 20)
    counts = build_dormitories(enterprises=enterprises, today=today)
    assert counts["offers"] == 3
    assert counts["stays"] > 5
    assert DormitoryStay.objects.filter(first_night__lt=today - datetime.timedelta(days=7)).exists()
    assert DormitoryStay.objects.filter(ended_on__isnull=True).exists()
    assert DormitoryRequest.objects.filter(status="waiting").exists()
    doubled = (
        DormitoryNight.objects.values("room", "bed", "night")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()
    assert DormitoryNight.objects.count() == counts["nights"]
