"""The station leader opens the processing register from the menu on a phone: it fits
360 px, and its xlsx comes through the export page."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outpost.core.choices import Role
from outpost.core.privacy import register_rows
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from tests.browser.support import DATABASE_TASKS, log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_leader_reads_the_register_and_downloads_it(
    browser, live_server, district, screenshot, settings, tmp_path, width
):
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    context, page = log_in(browser, live_server, leader, width)

    menu_click(page, "/core/processing-register/")

    assert page.locator("h1").inner_text() == "个人信息处理活动记录"
    assert page.locator("section.processing-record").count() >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"processing-register-{width}")

    page.click("main form button[type=submit]")
    page.wait_for_url("**/core/exports/*/")
    run_queued_tasks()
    page.reload()
    with page.expect_download() as download_info:
        page.click("a[href*='/download/']")
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    numbered = [row for row in workbook.active.iter_rows(min_row=4, values_only=True) if row[1]]
    assert len(numbered) == len(register_rows())
    context.close()
