"""Shared fixtures: a small jurisdiction with two communities, and staff in each."""

import importlib
import json
from dataclasses import dataclass

import pytest
from django.utils import translation

from outpost.core.choices import Role, UnitKind
from outpost.core.models import Unit
from outpost.core.tests.factories import UnitFactory, staff_user
from outpost.core.tests.imports_support import use_import_settings


def pytest_configure(config):
    """Encryption at rest: each test run gets its own generated keys (no key file in the
    repository, none under var/)."""
    from django.conf import settings

    from outpost.core.crypto.keys import generate_ring_json

    settings.OUTPOST_DATA_KEYS = json.dumps(generate_ring_json())


# The migrations that load reference data, each with an idempotent `seed(apps, schema_editor)`.
REFERENCE_DATA_MIGRATIONS = (
    "outpost.screening.migrations.0002_regions_and_default_designations",
    "outpost.keypersons.migrations.0002_teams_and_contacts",
    "outpost.observation.migrations.0002_default_plans_and_policy",
    "outpost.enterprises.migrations.0003_requests_donations",
    "outpost.publicorder.migrations.0002_venue_kinds_and_checklists",
)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Tests with real transactions (live server, threads, processes): the flush after each
    one empties every table, and post_migrate brings back only the role groups, not the
    reference rows the migrations load (regions, origin categories, risk designations, team
    places, contact rule, observation plans and policy); they are loaded again here. (Not
    serialized rollback: its flush skips post_migrate, leaving the next test without groups.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


@dataclass
class District:
    station: Unit
    office: Unit
    community_a: Unit
    community_b: Unit
    grid_a1: Unit
    grid_a2: Unit
    grid_b1: Unit


@pytest.fixture
def district(db) -> District:
    station = UnitFactory(code="S1", name="哈尔滨路派出所", kind=UnitKind.STATION)
    office = UnitFactory(code="O1", name="第一警务室", kind=UnitKind.POLICE_OFFICE, parent=station)
    community_a = UnitFactory(code="CA", name="甲社区", kind=UnitKind.COMMUNITY, parent=office)
    community_b = UnitFactory(code="CB", name="乙社区", kind=UnitKind.COMMUNITY, parent=office)
    return District(
        station=station,
        office=office,
        community_a=community_a,
        community_b=community_b,
        grid_a1=UnitFactory(code="CA-G1", name="甲社区第1网格", parent=community_a),
        grid_a2=UnitFactory(code="CA-G2", name="甲社区第2网格", parent=community_a),
        grid_b1=UnitFactory(code="CB-G1", name="乙社区第1网格", parent=community_b),
    )


@pytest.fixture
def officer_a(district):
    """Community police officer of community A: may view, change and reveal there."""
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="officer_a")


@pytest.fixture
def grid_worker_a1(district):
    return staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1")


@pytest.fixture
def admin_user(district):
    return staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="admin")


@pytest.fixture
def import_settings(settings, tmp_path):
    """For the import tests: uploads under tmp_path, background tasks at once, messages in
    English (they are asserted). Used with ``pytest.mark.usefixtures("import_settings")``."""
    use_import_settings(settings, tmp_path)
    with translation.override("en"):
        yield


@pytest.fixture
def english(client, settings):
    """Pages, messages and workbooks in English, the source language: the expected texts
    hold whatever the translation catalogs say. Modules that assert texts use it with
    ``pytest.mark.usefixtures("english")``."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
