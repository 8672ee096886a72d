"""An administrator creates a login on a phone and on a desk, and the pages break no rule of
the Content-Security-Policy (nothing refused in the console)."""

import pytest

from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_administrator_creates_a_login_and_reads_its_password(
    browser, live_server, district, admin_user, officer_a, screenshot, width
):
    context, page = log_in(browser, live_server, admin_user, width)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{live_server.url}/core/users/")
    assert "officer_a" in page.text_content("main")
    screenshot(page, f"accounts-users-{width}")

    page.click("text=新建用户")
    page.fill("input[name=username]", "grid_new")
    page.fill("input[name=display_name]", "王网格")
    page.select_option("select[name=unit]", label="甲社区第2网格")
    page.check("input[name=roles][value=grid_worker]")
    screenshot(page, f"accounts-new-user-{width}")
    page.click("main button[type=submit]")
    password = page.input_value("[data-testid=temporary-password]")
    assert len(password) >= 10
    screenshot(page, f"accounts-password-shown-{width}")

    page.click("text=完成")
    assert "王网格" in page.text_content("h1")
    assert "新建账号" in page.text_content("main")  # the account log
    screenshot(page, f"accounts-user-detail-{width}")

    page.goto(f"{live_server.url}/accounts/password/")
    screenshot(page, f"accounts-change-password-{width}")
    page.goto(f"{live_server.url}/core/lockouts/")
    screenshot(page, f"accounts-lockouts-{width}")
    assert refused == []
    context.close()
