"""A dispatch order from a higher level: the station imports it, the item is routed to the
community's officer, who records the result on a phone, and the station downloads the
feedback workbook in the incoming list's own columns with the result columns added."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outpost.core.tests.factories import TEST_PASSWORD
from outpost.core.tests.imports_support import use_import_settings, write_xlsx
from outpost.core.tests.worker import run_queued_tasks
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.keypersons.models import KeyPerson
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from tests.browser.support import DATABASE_TASKS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

THEIR_COLUMNS = ["序号", "姓名", "证件号码", "手机号码", "推送原因"]


def _login(browser, live_server, user, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_order_imported_routed_verified_on_a_phone_and_fed_back(
    browser, live_server, district, admin_user, officer_a, screenshot, settings, tmp_path
):
    use_import_settings(settings, tmp_path)  # tasks run at once in the live server's thread
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="赵敏")
    workbook = write_xlsx(
        tmp_path / "市指挥部推送名单.xlsx",
        [
            ["关于落地核查武汉来连人员的通知"],
            THEIR_COLUMNS,
            [1, "赵敏", resident.id_number, "", "铁路推送"],
            [2, "钱多多", "", "13700000001", "电信推送"],
        ],
        sheet="名单",
        merges=["A1:E1"],
    )

    # The station imports the order.
    desk, page = _login(browser, live_server, admin_user, 1280)
    page.goto(f"{live_server.url}/dispatch/orders/new/")
    page.fill("input[name=order_number]", "大防指〔2020〕17号")
    page.fill("input[name=issuing_body]", "市疫情防控指挥部")
    page.fill("input[name=title]", "武汉来连人员落地核查")
    page.fill("input[name=deadline]", "2030-02-01T18:00")
    page.set_input_files("input[name=file]", str(workbook))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dispatch/orders/*/")
    order = DispatchOrder.objects.get()
    page.wait_for_selector("[data-testid=count-to-route]")
    assert page.text_content("[data-testid=count-to-route]").strip() == "1"  # the stranger
    screenshot(page, "dispatch-order-1280")
    routed = DispatchItem.objects.get(order=order, resident=resident)
    assert routed.assigned_officer == officer_a

    # The community's officer records the result on a phone.
    phone, officer_page = _login(browser, live_server, officer_a, 360)
    officer_page.goto(f"{live_server.url}/dispatch/my-items/")
    officer_page.click("[data-testid=my-item]")
    officer_page.check("input[name=result][value=found_managed]")
    officer_page.fill("textarea[name=note]", "已上门核实，居家观察")
    screenshot(officer_page, "dispatch-result-360")
    officer_page.click("form.result-form button[type=submit]")
    officer_page.wait_for_url("**/dispatch/my-items/**")
    routed.refresh_from_db()
    assert routed.result == "found_managed"
    assert KeyPerson.objects.filter(resident=resident).exists()
    phone.close()

    # The station writes the feedback workbook (a background task on the database queue, as
    # in production: its id names the export) and downloads it.
    settings.TASKS = DATABASE_TASKS
    page.goto(f"{live_server.url}/dispatch/orders/{order.pk}/feedback/")
    page.fill("input[name=reason]", "反馈上级核查结果")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/core/exports/*/")
    run_queued_tasks()
    page.reload()
    with page.expect_download() as download_info:
        page.click("a[href*='/download/']")
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[:5] == THEIR_COLUMNS)
    assert len(header) > len(THEIR_COLUMNS)  # their columns first, then the results
    zhao = next(row for row in rows if row[1] == "赵敏")
    assert "已上门核实，居家观察" in zhao
    desk.close()
