"""The closure ledger export (masked, logged, text as text) and the module's figures for the
briefing, each the count of the rows its list shows."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import AccessAction
from outpost.core.models import AccessLog
from outpost.core.tests.worker import run_queued_tasks
from outpost.publicorder.choices import ClosureState, EventStatus
from outpost.publicorder.models import ClosureEntry, LargeEvent
from outpost.publicorder.selectors import briefing_figures, campaign_entries
from outpost.publicorder.tests.factories import (
    campaign_over,
    event_in,
    exception_in,
    incident_in,
    patrol_in,
    venue_in,
)

pytestmark = pytest.mark.django_db


def test_the_closure_ledger_exports_masked_and_logged(
    client, district, officer_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    venue = venue_in(district.grid_a1, licence_number="=CMD()", responsible_phone="13912345678")
    campaign = campaign_over(district.community_a, [venue, venue_in(district.grid_a2)])
    client.force_login(officer_a)
    url = reverse("publicorder:campaign_export", args=[campaign.pk])
    assert client.post(url, {}).status_code == 422  # no purpose
    response = client.post(url, {"purpose": "work_ledger"})
    assert response.status_code == 302
    run_queued_tasks()
    export_id = client.get(response["Location"]).context["export"].id
    download = client.get(reverse("core:export_download", args=[export_id]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = [str(cell.value) for cell in cells]
    assert "139****5678" in texts and "13912345678" not in texts
    licence = next(cell for cell in cells if cell.value == "=CMD()")
    assert licence.data_type == "s"
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.actor, log.row_count) == (officer_a, 2)


def test_the_briefing_figures_are_the_counts_of_their_lists(district, officer_a):
    closed = venue_in(district.grid_a1)
    campaign = campaign_over(district.community_a, [closed, venue_in(district.grid_a1)])
    ClosureEntry.objects.filter(venue=closed).update(state=ClosureState.INSPECTED)
    event = event_in(district.grid_a1)
    LargeEvent.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    patrol_in(district.grid_a1)
    exception_in(district.grid_a1)
    incident_in(district.grid_a1, count=4)
    incident_in(district.grid_b1, count=9)
    figures = briefing_figures(user=officer_a, day=timezone.localdate())
    entries = campaign_entries(user=officer_a, campaign=campaign)
    assert figures == {
        "venues": 2,
        "venues_closed": entries.filter(state=ClosureState.INSPECTED).count(),
        "events_cancelled": 1,
        "patrols": 2,
        "patrol_exceptions": 1,
        "incidents": 4,
    }
