"""A station officer screens an arrivals list: upload the feed → its rows are read in the
background → start a screening → the counts per unit → review the uncertain match → turn a
result into a key person → verify the concealed-travel discrepancy."""

import csv
import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import TEST_PASSWORD, staff_user
from outpost.core.tests.imports_support import use_import_settings
from outpost.keypersons.models import KeyPerson
from outpost.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
)
from outpost.screening.models import TravelDiscrepancy
from tests.browser.support import menu_click

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ARRIVED = datetime.date(2020, 1, 20)


def _people(district):
    """张伟 came from Wuhan (exact ID) and told the grid worker he had not travelled; two
    residents called 王芳 share the phone a feed row gives (a tie: review)."""
    zhang = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="张伟")
    visited = timezone.make_aware(datetime.datetime(2020, 1, 24, 10, 0))
    VisitMemberFactory(
        visit=VisitFactory(household=zhang.household, visited_at=visited),
        resident=zhang,
        travelled=False,
    )
    twin_1 = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), name="王芳", phone="13900000009"
    )
    twin_2 = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a2), name="王芳", phone="13900000009"
    )
    return zhang, twin_1, twin_2


def _feed_file(path, zhang):
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "身份证号", "手机号", "出发地", "到达日期", "车次"])
        writer.writerow(["张伟", zhang.id_number, "", "湖北省武汉市", "2020-01-20", "G1234"])
        writer.writerow(["王芳", "", "+86 139-0000-0009", "湖北省武汉市", "2020/1/21", "D88"])
        writer.writerow(["陌生人", "", "13700000000", "湖北省武汉市", "2020年1月22日", "K7"])
    return path


@pytest.mark.parametrize("width", [360, 1280])
def test_officer_screens_a_feed_reviews_and_verifies_concealed_travel(
    browser, live_server, district, screenshot, settings, tmp_path, width
):
    use_import_settings(settings, tmp_path)  # tasks run at once in the live server's thread
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="s-officer")
    zhang, twin_1, _twin_2 = _people(district)
    feed_file = _feed_file(tmp_path / "武汉来连旅客.csv", zhang)

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # Upload: the rows are read in the background, the feed's page shows the result.
    page.goto(f"{live_server.url}/screening/feeds/upload/")
    page.select_option("select[name=source_type]", "rail")
    page.set_input_files("input[name=file]", str(feed_file))
    screenshot(page, f"screening-upload-{width}")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/screening/feeds/*/")
    page.wait_for_selector("text=3", timeout=10_000)
    assert zhang.id_number not in page.content()  # masked on the feed's page
    screenshot(page, f"screening-feed-{width}")

    # Start a screening of the station over that feed.
    page.goto(f"{live_server.url}/screening/runs/new/")
    page.check("input[name=feeds]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/screening/runs/*/")
    page.wait_for_selector("table.run-counts")
    counts = page.text_content("table.run-counts")
    assert "武汉来连" in counts
    grid_a1 = page.locator("table.run-counts tr", has_text=district.grid_a1.name)
    assert grid_a1.locator("td").first.text_content().strip() == "1"
    screenshot(page, f"screening-run-{width}")

    # The tie goes to review: accept the first 王芳.
    menu_click(page, "/screening/review/")
    page.wait_for_selector("[data-testid=review-item]")
    assert page.locator("[data-testid=candidate]").count() == 2
    screenshot(page, f"screening-review-{width}")
    page.locator("[data-testid=candidate]", has_text=district.grid_a1.name).locator(
        "button.primary"
    ).click()
    page.wait_for_selector("[data-testid=review-item] .notice")
    twin_1.refresh_from_db()
    assert twin_1.screening_results.get().status == "decided"

    # Turn 张伟 into a key person from the run's results.
    page.go_back()
    page.reload()
    page.locator("tr", has_text="张伟").locator("input[name=results]").check()
    page.click("#make-key-persons button.primary")
    page.wait_for_url("**/keypersons/**")
    assert KeyPerson.objects.filter(resident=zhang).exists()
    screenshot(page, f"screening-key-persons-{width}")

    # 张伟 said he had not travelled: the discrepancy shows both sources side by side.
    discrepancy = TravelDiscrepancy.objects.get(resident=zhang)
    page.goto(f"{live_server.url}{discrepancy.get_absolute_url()}")
    assert "G1234" in page.content()
    screenshot(page, f"screening-discrepancy-{width}")
    page.locator("input[name=outcome]").first.check()
    page.fill("textarea[name=note]", "本人承认1月20日自武汉返连，已纳入居家观察")
    page.click("main form button.primary")
    page.wait_for_load_state()
    discrepancy.refresh_from_db()
    assert discrepancy.status != "open"
    screenshot(page, f"screening-discrepancy-verified-{width}")
    context.close()
