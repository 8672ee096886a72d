"""`outpost snapshot` freezes a past day on demand, once."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from outpost.briefing.models import DailySnapshot
from outpost.keypersons.tests.factories import key_person_in


def _snapshot(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("snapshot", *args, stdout=out)
    return out.getvalue()


def test_yesterday_is_frozen_once(district):
    key_person_in(district.grid_a1)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    first = _snapshot()
    second = _snapshot("--date", yesterday.isoformat())

    assert f"{yesterday.isoformat()}: 7 units frozen" in first
    assert f"{yesterday.isoformat()}: 0 units frozen" in second
    station = DailySnapshot.objects.get(unit=district.station, day=yesterday)
    assert station.figures["key_persons"] == 1


def test_today_and_bad_dates_are_refused(district):
    with pytest.raises(CommandError, match="over"), translation.override("en"):
        call_command("snapshot", "--date", timezone.localdate().isoformat())
    with pytest.raises(CommandError, match="not a date"), translation.override("en"):
        call_command("snapshot", "--date", "2026/11/01")
    assert not DailySnapshot.objects.exists()
