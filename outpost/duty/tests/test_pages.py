"""The duty pages and files: who is on duty at a moment (page and API), the roster's page
with its violations, the printable xlsx (text as text) and PDF, the pioneer post record
from the records, and the home to-do of a staff member's next shifts."""

import datetime
import io

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import Role
from outpost.duty.choices import PostKind
from outpost.duty.models import PartyMember
from outpost.duty.tests.factories import person_in, post_in, roster_in, shift_of
from outpost.observation.choices import CheckInSource
from outpost.observation.services.checkins import check_in_record
from outpost.observation.tests.factories import IsolationSiteFactory, centralized_episode_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def setup(district):
    site = IsolationSiteFactory(unit=district.station, name="隔离酒店")
    pioneer = post_in(
        district.station,
        kind=PostKind.PIONEER,
        site=site,
        party=True,
        roles=(Role.POLICE_OFFICER,),
        name="党员先锋岗",
    )
    desk = post_in(district.station, name="值班台")
    roster = roster_in(
        district.station,
        posts=[pioneer, desk],
        first=timezone.localdate() - datetime.timedelta(days=2),
    )
    member = person_in(district.grid_a1, Role.POLICE_OFFICER, "=党员民警")
    PartyMember.objects.create(user=member, unit=district.grid_a1)
    other = person_in(district.community_b, Role.POLICE_OFFICER, "乙民警")
    now = timezone.now()
    worked = shift_of(member, post=pioneer, roster=roster, starts_at=now - 30 * HOUR)
    current = shift_of(other, post=desk, roster=roster, starts_at=now - HOUR)
    leader = person_in(district.station, Role.STATION_LEADER, "所长")
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    check_in_record(
        episode=episode,
        temperature="36.6",
        source=CheckInSource.STAFF,
        acting_user=member,
        taken_at=worked.starts_at + HOUR,
        now=worked.starts_at + HOUR,
    )
    return {
        "roster": roster,
        "member": member,
        "other": other,
        "leader": leader,
        "current": current,
        "worked": worked,
    }


def test_who_is_on_duty_now_and_at_another_moment(client, setup):
    client.force_login(setup["leader"])
    page = client.get(reverse("duty:now")).content.decode()
    assert "乙民警" in page and "=党员民警" not in page
    earlier = timezone.localtime(setup["worked"].starts_at + HOUR).strftime("%Y-%m-%dT%H:%M")
    page = client.get(reverse("duty:now"), {"at": earlier}).content.decode()
    assert "=党员民警" in page and "乙民警" not in page


def test_the_api_answers_who_is_on_duty(client, setup):
    client.force_login(setup["leader"])
    items = client.get("/api/v1/duty/on-duty").json()["items"]
    assert [(i["name"], i["post"]) for i in items] == [("乙民警", "值班台")]


def test_a_community_officer_sees_only_their_peoples_shifts(client, setup, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("duty:roster_detail", args=[setup["roster"].pk])).content.decode()
    assert "=党员民警" in page and "乙民警" not in page


def test_the_roster_xlsx_keeps_text_as_text(client, setup):
    client.force_login(setup["leader"])
    response = client.get(reverse("duty:roster_xlsx", args=[setup["roster"].pk]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book["Shifts"].iter_rows() for c in row if c.value == "=党员民警"]
    assert cells and cells[0].data_type == "s"
    grid = [c.value for row in book["Roster"].iter_rows() for c in row if c.value]
    assert any("=党员民警" in str(v) for v in grid)


def test_the_roster_pdf_is_a4_landscape_in_chinese(client, setup):
    client.force_login(setup["leader"])
    response = client.get(reverse("duty:roster_pdf", args=[setup["roster"].pk]))
    document = pypdfium2.PdfDocument(response.content)
    width, height = document[0].get_size()
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert "党员先锋岗" in text and "=党员民警" in text


def test_the_pioneer_record_counts_the_check_ins_handled_during_the_shift(client, setup):
    client.force_login(setup["leader"])
    response = client.get(reverse("duty:pioneer"))
    record = response.context["record"]
    assert record.by_person == {"=党员民警": [1, 12.0, 1, 0]}
    assert record.by_post == {"党员先锋岗": [1, 12.0, 1, 0]}


def test_the_duty_record_per_person(client, setup):
    client.force_login(setup["leader"])
    response = client.get(reverse("duty:roster_record", args=[setup["roster"].pk]))
    rows = list(load_workbook(io.BytesIO(response.content))["Per person"].values)
    assert rows[1] == ("=党员民警", 1, 12, 1, 0)


def test_the_home_to_do_shows_my_next_shift(client, setup):
    client.force_login(setup["other"])
    page = client.get(reverse("home")).content.decode()
    assert "My next shifts — first: 值班台" in page
