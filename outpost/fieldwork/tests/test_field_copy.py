"""What the phone keeps: the user's own grid, key persons and site, masked as the pages show
them; logged in the access log. The web app's manifest, service worker and log-out wipe."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import AccessAction
from outpost.core.models import AccessLog
from outpost.observation.models import SiteStaff
from outpost.observation.tests.factories import stay_in
from outpost.registry.models import Household

pytestmark = pytest.mark.django_db
URL = "/api/v1/fieldwork/copy"


def test_the_copy_holds_the_own_grid_masked_and_nothing_of_another_unit(client, grid):
    client.force_login(grid.worker)
    copy = client.get(URL).json()
    assert copy["grid"]["id"] == grid.district.grid_a1.pk
    assert copy["campaign"]["id"] == grid.campaign.pk
    numbers = {h["household_number"] for h in copy["households"]}
    # The grid's households (the key person's own among them), and no other grid's.
    own = Household.objects.filter(unit=grid.district.grid_a1)
    assert numbers == set(own.values_list("household_number", flat=True))
    assert len(numbers) == 4
    assert grid.other_household.household_number not in numbers
    household = next(h for h in copy["households"] if h["id"] == grid.households[0].pk)
    # The door number of the worker's own grid, as My grid shows it; the members masked.
    assert household["address"] == grid.households[0].address
    member = household["members"][0]
    resident = grid.members[0]
    assert member["id_number_masked"] == resident.masked_id_number
    assert resident.id_number not in str(copy)
    assert resident.phone not in str(copy)
    assert "乙网格居民" not in str(copy)
    (key_person,) = copy["key_persons"]
    assert key_person["id"] == grid.key_person.pk
    assert key_person["phone_masked"] == grid.key_person.masked_phone
    assert copy["episodes"] == []
    taken = datetime.datetime.fromisoformat(copy["taken_at"])
    expires = datetime.datetime.fromisoformat(copy["expires_at"])
    assert expires - taken == datetime.timedelta(hours=12)
    assert copy["taken_at"].endswith("+08:00")


def test_taking_a_copy_is_in_the_access_log_with_who_and_which_grid(client, grid):
    client.force_login(grid.worker)
    client.get(URL)
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action) == (grid.worker, AccessAction.EXPORT)
    assert grid.district.grid_a1.name in entry.subject
    assert entry.row_count == 4 + 1  # the grid's four households, one key person


def test_staff_on_duty_at_a_site_get_its_people_for_check_ins(client, district):
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    stay = stay_in(district.grid_a1)
    nurse = staff_user(role=Role.MEDICAL_STAFF, unit=district.grid_a1, username="nurse")
    SiteStaff.objects.create(
        site=stay.room.site,
        user=nurse,
        role="medical",
        on_duty_from=timezone.localdate(),
    )
    client.force_login(nurse)
    copy = client.get(URL).json()
    assert [e["id"] for e in copy["episodes"]] == [stay.episode_id]
    assert copy["episodes"][0]["room"] == stay.room.number


def test_the_field_pages_install_the_web_app_and_other_pages_do_not(client, grid):
    client.force_login(grid.worker)
    my_grid = client.get(reverse("registry:my_grid")).content.decode()
    assert 'rel="manifest"' in my_grid
    assert "fieldwork/field.js" in my_grid
    home = client.get(reverse("home")).content.decode()
    assert 'rel="manifest"' not in home


def test_the_service_worker_is_served_at_the_root_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    assert b"/fieldwork/" in response.content


def test_the_manifest_has_a_chinese_name_and_an_icon(client):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["name"] == "社区警务外勤"
    assert manifest["start_url"] == "/fieldwork/"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_log_out_tells_the_browser_to_wipe_what_the_site_keeps(client, grid):
    client.force_login(grid.worker)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    login = client.get(reverse("login")).content.decode()
    assert "fieldwork/wipe.js" in login


def test_the_offline_page_holds_no_records_itself(client, grid):
    client.force_login(grid.worker)
    page = client.get(reverse("fieldwork:offline")).content.decode()
    assert grid.households[0].household_number not in page
    assert grid.members[0].name not in page
    assert "field-strings" in page
