"""Factories of the public-order module, and what the route walks need of it."""

from __future__ import annotations

import datetime
import io

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.publicorder.choices import (
    CheckpointKind,
    IncidentCategory,
    InspectionStatus,
    PatrolException,
)
from outpost.publicorder.codes import checkpoint_token
from outpost.publicorder.models import (
    ChecklistItem,
    Checkpoint,
    ClosureCampaign,
    ClosureEntry,
    IncidentCount,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    LargeEvent,
    Patrol,
    PatrolCheckIn,
    PatrolRoute,
    Venue,
    VenueKind,
)

_n = iter(range(1, 10**9))


def kind(code: str = "bath") -> VenueKind:
    return VenueKind.objects.get(code=code)


def officer_in(unit, username: str | None = None) -> User:
    username = username or f"po-officer-{next(_n)}"
    existing = User.objects.filter(username=username).first()
    return existing or staff_user(role=Role.POLICE_OFFICER, unit=unit, username=username)


def venue_in(unit, *, kind_code: str = "bath", **values) -> Venue:
    n = next(_n)
    defaults = {
        "name": f"{unit.name}第{n}号场所",
        "licence_number": f"LIC{n:06d}",
        "address": f"哈尔滨路{n}号",
        "responsible_person": f"负责人{n}",
        "responsible_phone": f"1390000{n % 10000:04d}",
    }
    return Venue.objects.create(unit=unit, kind=kind(kind_code), **{**defaults, **values})


def campaign_over(unit, venues) -> ClosureCampaign:
    campaign = ClosureCampaign.objects.create(
        unit=unit, name=f"停业劝导专项行动{next(_n)}", started_on=timezone.localdate()
    )
    for venue in venues:
        ClosureEntry.objects.create(campaign=campaign, venue=venue)
    return campaign


def entry_in(grid) -> ClosureEntry:
    return campaign_over(grid, [venue_in(grid)]).entries.get()


def inspection_in(grid, *, officer=None, status=InspectionStatus.DONE) -> Inspection:
    venue = venue_in(grid)
    officer = officer or officer_in(grid)
    inspection = Inspection.objects.create(
        venue=venue, officer=officer, status=status, inspected_at=timezone.now()
    )
    if status == InspectionStatus.DUE:
        inspection.item = ChecklistItem.objects.filter(kind=venue.kind).first()
        inspection.due_on = timezone.localdate()
        inspection.inspected_at = None
        inspection.save()
    return inspection


def follow_up_in(grid) -> Inspection:
    return inspection_in(grid, status=InspectionStatus.DUE)


def result_in(grid) -> InspectionResult:
    inspection = inspection_in(grid)
    item = ChecklistItem.objects.filter(kind=inspection.venue.kind).first()
    return InspectionResult.objects.create(inspection=inspection, item=item, passed=True)


def jpeg_bytes(*, size=(40, 30), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (38.0, 55.0, 0.0), 3: "E", 4: (121.0, 37.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_in(grid) -> InspectionPhoto:
    inspection = inspection_in(grid)
    photo = InspectionPhoto(inspection=inspection, uploaded_by=inspection.officer)
    photo.image.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.save()
    return photo


def event_in(grid) -> LargeEvent:
    n = next(_n)
    return LargeEvent.objects.create(
        unit=grid,
        name=f"元宵灯会{n}",
        planned_on=timezone.localdate() + datetime.timedelta(days=7),
        organiser=f"文化中心{n}",
        organiser_contact=f"联系人{n}",
        organiser_phone=f"1381111{n % 10000:04d}",
    )


def route_in(grid, *, points: int = 3, leader=None, starts_at=datetime.time(8, 0)) -> PatrolRoute:
    route = PatrolRoute.objects.create(
        unit=grid,
        name=f"{grid.name}巡逻线{next(_n)}",
        leader=leader or officer_in(grid),
        starts_at=starts_at,
    )
    kinds = [
        CheckpointKind.ROAD,
        CheckpointKind.STATION,
        CheckpointKind.SQUARE,
        CheckpointKind.HOSPITAL,
    ]
    for order in range(1, points + 1):
        Checkpoint.objects.create(
            route=route, name=f"点位{order}", kind=kinds[(order - 1) % 4], order=order
        )
    return route


def checkpoint_in(grid) -> Checkpoint:
    return route_in(grid).checkpoints.first()


def patrol_in(grid, *, officer=None, route=None, **values) -> Patrol:
    route = route or route_in(grid)
    return Patrol.objects.create(
        route=route,
        day=timezone.localdate(),
        officer=officer or officer_in(grid),
        started_at=timezone.now(),
        checkpoints_total=route.checkpoints.count(),
        **values,
    )


def exception_in(grid) -> Patrol:
    return patrol_in(grid, status="finished", exception=PatrolException.INCOMPLETE)


def check_in_in(grid) -> PatrolCheckIn:
    patrol = patrol_in(grid)
    return PatrolCheckIn.objects.create(
        patrol=patrol,
        checkpoint=patrol.route.checkpoints.first(),
        at=timezone.now(),
        by=patrol.officer,
    )


def incident_in(grid, *, day=None, category=IncidentCategory.CRIMINAL, count=3) -> IncidentCount:
    return IncidentCount.objects.create(
        unit=grid, day=day or timezone.localdate(), category=category, count=count
    )


def _officer_a_patrol(grid) -> Patrol:
    """A patrol under way of the walk's officer (officer_a), in `grid`."""
    return patrol_in(grid, officer=User.objects.get(username="officer_a"))


def _spanning_campaign(unit, grid_a, grid_b):
    own, other = venue_in(grid_a), venue_in(grid_b)
    return campaign_over(unit, [own, other]), own.name, other.name


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    Venue: venue_in,
    ClosureCampaign: lambda grid: campaign_over(grid, [venue_in(grid)]),
    ClosureEntry: entry_in,
    Inspection: inspection_in,
    InspectionResult: result_in,
    InspectionPhoto: photo_in,
    LargeEvent: event_in,
    PatrolRoute: route_in,
    Checkpoint: checkpoint_in,
    Patrol: patrol_in,
    PatrolCheckIn: check_in_in,
    IncidentCount: incident_in,
}

# Routes whose page needs more than a row of its model: a follow-up due, an exception.
ROUTE_FACTORIES = {
    "publicorder:follow_up": follow_up_in,
    "publicorder:follow_ups": follow_up_in,
    "publicorder:patrol_exceptions": exception_in,
    "publicorder:patrol_acknowledge": exception_in,
    "POST /api/v1/publicorder/patrols/{patrol_id}/check-ins": _officer_a_patrol,
}

SPANNING_FACTORIES = {ClosureCampaign: _spanning_campaign}

WRITE_PAYLOADS = {
    "POST /api/v1/publicorder/patrols/{patrol_id}/check-ins": lambda patrol: {
        "code": checkpoint_token(patrol.route.checkpoints.first().pk, timezone.localdate())
    },
}
