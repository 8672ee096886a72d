"""Door-to-door visits under retention: 180 days after the campaign's end, declared travel
and health are blanked; who was visited and present stays counted."""

import datetime

from django.utils import timezone

from outpost.core.models import AnonymisedRecord, LegalHold
from outpost.core.retention.services import retention_purge
from outpost.registry.choices import HealthStatus, Transport
from outpost.registry.models import VisitMember
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    VisitFactory,
    VisitMemberFactory,
)


def _visit_of_campaign_ended(grid, *, days_ago: int):
    end = timezone.localdate() - datetime.timedelta(days=days_ago)
    campaign = CampaignFactory(
        unit=grid, start_date=end - datetime.timedelta(days=14), end_date=end, is_closed=True
    )
    visit = VisitFactory(household=HouseholdFactory(unit=grid), campaign=campaign, note="邻居说")
    member = VisitMemberFactory(
        visit=visit,
        travelled=True,
        origin_place="湖北省武汉市",
        origin_region_code="420102",
        returned_on=end - datetime.timedelta(days=20),
        transport=Transport.TRAIN,
        health_status=HealthStatus.FEVER,
    )
    return visit, member


def test_declared_travel_and_health_are_blanked_and_the_visit_kept(district):
    visit, member = _visit_of_campaign_ended(district.grid_a1, days_ago=181)
    _recent, recent_member = _visit_of_campaign_ended(district.grid_a1, days_ago=100)

    retention_purge()

    member.refresh_from_db()
    visit.refresh_from_db()
    assert visit.note == ""
    assert (member.origin_place, member.origin_region_code, member.returned_on) == (
        "已匿名",
        "",
        None,
    )
    assert (member.transport, member.health_status) == ("", "")
    assert member.travelled and member.resident_id  # still counted as screened
    assert not VisitMember.history.filter(origin_place="湖北省武汉市", id=member.pk).exists()
    recent_member.refresh_from_db()
    assert recent_member.origin_place == "湖北省武汉市"
    assert AnonymisedRecord.objects.filter(kind="registry.visit").count() == 1


def test_a_visit_of_a_held_resident_is_kept(district, admin_user):
    _visit, member = _visit_of_campaign_ended(district.grid_a1, days_ago=400)
    LegalHold.objects.create(
        model_label="registry.Resident",
        object_id=member.resident_id,
        unit=district.grid_a1,
        case_reference="K-1",
        reason="涉案",
        opened_by=admin_user,
    )
    summary = retention_purge()
    member.refresh_from_db()
    assert member.origin_place == "湖北省武汉市"
    assert summary.held["registry.visit"]["count"] == 1
