"""The officer of one police office opens a screening run the station started: he sees it,
with only his office's people, and a key person's source link takes him back to it."""

import pytest

from outpost.core.choices import Role, UnitKind
from outpost.core.tests.factories import UnitFactory, staff_user
from outpost.keypersons.models import KeyPersonSource
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.choices import LinkStatus, RunStatus
from outpost.screening.tests.factories import ScreeningResultFactory, ScreeningRunFactory
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_office_officer_sees_his_people_of_a_station_run_and_follows_a_source_link(
    browser, live_server, district, screenshot
):
    other_office = UnitFactory(
        code="O2", name="第二警务室", kind=UnitKind.POLICE_OFFICE, parent=district.station
    )
    other_community = UnitFactory(
        code="CC", name="丙社区", kind=UnitKind.COMMUNITY, parent=other_office
    )
    other_grid = UnitFactory(code="CC-G1", name="丙社区第1网格", parent=other_community)
    station_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station)
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.office, username="office1")
    run = ScreeningRunFactory(
        unit=district.station, created_by=station_officer, status=RunStatus.DONE, progress=100
    )
    mine = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="赵本辖")
    theirs = ResidentFactory(household=HouseholdFactory(unit=other_grid), name="钱外所")
    for resident in (mine, theirs):
        ScreeningResultFactory(run=run, resident=resident, status=LinkStatus.AUTO)
    key_person = KeyPersonFactory(resident=mine)
    KeyPersonSource.objects.create(
        key_person=key_person, source_type="screening", screening_run=run, noted_by=officer
    )

    context, page = log_in(browser, live_server, officer, 1280)
    page.goto(f"{live_server.url}/screening/runs/")
    page.click(f"main a[href='{run.get_absolute_url()}']")
    page.wait_for_url(f"{live_server.url}{run.get_absolute_url()}")
    body = page.text_content("main")
    assert "赵本辖" in body
    assert "钱外所" not in body and "丙社区" not in body
    screenshot(page, "office-officer-station-run-1280")

    page.goto(f"{live_server.url}{key_person.get_absolute_url()}")
    page.click(f"main a[href='{run.get_absolute_url()}']")
    page.wait_for_url(f"{live_server.url}{run.get_absolute_url()}")
    assert "赵本辖" in page.text_content("main")
    assert page.locator(".error-page").count() == 0
    context.close()
