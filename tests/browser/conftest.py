"""Browser tests drive Debian's chromium through Playwright (no browser download).

They run against a live server, so they use real transactions, and the flush after each one
empties every table, the reference data that migrations load included: `reference_data`
loads it again (regions, origin categories, risk designations, team places, contact rule,
observation plans and policy)."""

import importlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `./dev test` installs it with apt-get")
    # Playwright's sync API runs an event loop in this thread; the ORM calls that the
    # tests make around it are plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


# The migrations that load reference data, each with an idempotent `seed(apps, schema_editor)`.
REFERENCE_DATA_MIGRATIONS = (
    "outpost.screening.migrations.0002_regions_and_default_designations",
    "outpost.keypersons.migrations.0002_teams_and_contacts",
    "outpost.observation.migrations.0002_default_plans_and_policy",
)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)
