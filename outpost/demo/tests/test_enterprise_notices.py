"""The demo's notices: ten over fourteen days, one replaced, most confirmed, the same every
time."""

import datetime

import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.demo.enterprise_notices import notices_build
from outpost.enterprises.notices.choices import EscalationLevel
from outpost.enterprises.notices.models import NoticeReceipt
from outpost.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 2, 14)


def _pattern(notices):
    return list(
        NoticeReceipt.objects.filter(notice__in=notices)
        .order_by("notice__pushed_at", "enterprise__name")
        .values_list("confirmed_at", "escalation_level")
    )


def test_the_demo_pushes_ten_notices_over_fourteen_days_most_confirmed(district):
    author = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="demo-po")
    enterprises = [EnterpriseFactory(unit=district.grid_a1) for _ in range(20)]
    notices = notices_build(enterprises=enterprises, author=author, today=TODAY)
    assert len(notices) == 10
    days = {notice.pushed_at.date() for notice in notices}
    assert min(days) >= TODAY - datetime.timedelta(days=13) and max(days) <= TODAY
    assert sum(notice.is_superseded for notice in notices) == 1
    receipts = NoticeReceipt.objects.filter(notice__in=notices)
    assert receipts.count() == 200
    assert receipts.filter(confirmed_at__isnull=False).count() > 150
    assert receipts.filter(
        escalation_level=EscalationLevel.CALL, call_done_at__isnull=True
    ).exists()
    first = _pattern(notices)
    again = notices_build(enterprises=enterprises, author=author, today=TODAY)
    assert _pattern(again) == first
