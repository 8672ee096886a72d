"""A station officer imports a residents workbook with errors: upload → columns → preview with
the errors by row and column → the error workbook → import the good rows."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outpost.core.models import ImportJob
from outpost.core.tests.factories import TEST_PASSWORD
from outpost.core.tests.imports_support import HEADINGS, person, use_import_settings, write_xlsx
from outpost.registry.models import Resident
from tests.browser.support import menu_click

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [360, 1280])
def test_officer_imports_a_file_with_errors_and_downloads_the_report(
    browser, live_server, district, officer_a, screenshot, settings, tmp_path, width
):
    use_import_settings(settings, tmp_path)  # the live server runs in this process
    wrong_check = person(2)
    wrong_check[1] = wrong_check[1][:17] + ("0" if wrong_check[1][17] != "0" else "1")
    bad_phone = person(3)
    bad_phone[2] = "139 1234"
    workbook = write_xlsx(
        tmp_path / "甲社区居民.xlsx",
        [["甲社区居民信息登记表"], [], HEADINGS, person(1), wrong_check, bad_phone, person(4)],
        merges=["A1:E1"],
    )

    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="en-US", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    menu_click(page, "/core/imports/")
    page.set_input_files("input[name=file]", str(workbook))
    page.select_option(
        "select[name=kind]", "registry.residents"
    )  # an officer imports several kinds
    screenshot(page, f"import-upload-{width}")
    page.click("form.import-upload button[type=submit]")

    job = ImportJob.objects.get()
    page.wait_for_url(f"{live_server.url}/core/imports/{job.pk}/columns/")
    assert page.input_value("select[name=col_1]") == "id_number"
    assert page.input_value("select[name=col_4]") == "grid"
    screenshot(page, f"import-columns-{width}")
    page.click("form button.primary")

    page.wait_for_url(f"{live_server.url}/core/imports/{job.pk}/")
    page.wait_for_selector("table.import-errors")
    errors = page.text_content("table.import-errors")
    assert "身份证号 (B)" in errors and "联系电话 (C)" in errors
    rows = page.locator("table.import-errors tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).text_content().strip() == "5"
    assert rows.nth(1).locator("td").nth(0).text_content().strip() == "6"
    assert "139 1234" not in page.content()  # values are masked
    screenshot(page, f"import-preview-{width}")

    with page.expect_download() as download_info:
        page.click("a[href$='/errors/']")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    report = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    lines = list(report.iter_rows(values_only=True))
    assert [line[:2] for line in lines[1:]] == [(5, "身份证号 (B)"), (6, "联系电话 (C)")]
    assert lines[2][2] == "***1234"

    page.check("input[name=skip_bad_rows]")
    page.click("button[name=action][value=commit]")
    page.wait_for_selector(".import-status.import-done")
    assert Resident.objects.count() == 2
    screenshot(page, f"import-done-{width}")
    context.close()
