"""What the browser tests share besides their fixtures (conftest.py)."""

from outpost.core.tests.factories import TEST_PASSWORD

# Exports run on the database queue, as in production: the status page's URL takes the
# task's id, which the immediate backend of the import settings does not keep.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def log_in(browser, live_server, user, width: int):
    """A new browser context of `width` px in Chinese, logged in as `user` on the home page."""
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


def menu_click(page, href: str) -> None:
    """Follow a menu entry as a user of the page's width does: in the grouped menu on a
    wide screen; on a phone in the bottom bar, else in the "More" sheet."""
    for selector in (f"nav.mainnav a[href='{href}']", f"nav.bottombar a[href='{href}']"):
        link = page.locator(selector)
        if link.count() and link.first.is_visible():
            link.first.click()
            return
    page.click("nav.bottombar button.more-button")
    page.click(f"#nav-sheet a[href='{href}']")
