"""Screening runs: the engine over feeds and the registry, as a background task run by the
real worker, its counts per unit, idempotent re-runs, remembered decisions and scoping."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from outpost.screening import engine
from outpost.screening.choices import LinkStatus, RunStatus
from outpost.screening.models import OriginCategory, ScreeningResult
from outpost.screening.selectors import screening_run_counts
from outpost.screening.services import match_decision_record
from outpost.screening.services.starts import screening_run_start
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory

pytestmark = pytest.mark.django_db

ARRIVED = datetime.date(2020, 1, 20)


def _resident(grid, n, **fields):
    return ResidentFactory(household=HouseholdFactory(unit=grid), **fields)


@pytest.fixture
def world(district):
    """Residents in three grids and one feed: an exact-ID Wuhan arrival (A1), a Hubei
    arrival found by phone (A2), an arrival from Beijing (B1), a stranger, and a row whose
    name and phone fit two residents equally (A1 and A2: review)."""
    wuhan = _resident(district.grid_a1, 1, name="张三")
    hubei = _resident(district.grid_a2, 2, name="李四", phone="13900000002")
    beijing = _resident(district.grid_b1, 3, name="王五")
    twin_1 = _resident(district.grid_a1, 4, name="王芳", phone="13900000009")
    twin_2 = _resident(district.grid_a2, 5, name="王芳", phone="13900000009")
    feed = FeedFactory(unit=district.station, total_rows=5)
    rows = [
        dict(name="张三", id_number=wuhan.id_number, phone="", origin_region_code="420102"),
        dict(name="李四", id_number="", phone="13900000002", origin_region_code="420902"),
        dict(name="王五", id_number=beijing.id_number, phone="", origin_region_code="110101"),
        dict(
            name="陌生人",
            id_number=valid_id_number(999, region="110101"),
            phone="13700000000",
            origin_region_code="420102",
        ),
        dict(name="王芳", id_number="", phone="13900000009", origin_region_code="420102"),
    ]
    feed_rows = [
        FeedRowFactory(feed=feed, row_number=i + 2, arrival_date=ARRIVED, **row)
        for i, row in enumerate(rows)
    ]
    return {
        "wuhan": wuhan,
        "hubei": hubei,
        "beijing": beijing,
        "twins": (twin_1, twin_2),
        "feed": feed,
        "tie_row": feed_rows[4],
    }


@pytest.fixture
def station_officer(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="officer_s")


def _run(user, unit, feeds, capture):
    with capture(execute=True):
        run = screening_run_start(acting_user=user, unit=unit, feeds=feeds)
    run_queued_tasks()
    run.refresh_from_db()
    return run


def _categories(run):
    return {
        r.resident_id: (r.category.code if r.category else None, r.status)
        for r in ScreeningResult.objects.filter(run=run).select_related("category")
    }


def test_a_run_links_arrivals_and_gives_their_origin_categories(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    assert run.status == RunStatus.DONE
    assert run.progress == 100
    twin_1, twin_2 = world["twins"]
    assert _categories(run) == {
        world["wuhan"].pk: ("wuhan", LinkStatus.AUTO),
        world["hubei"].pk: ("hubei_outside_wuhan", LinkStatus.AUTO),
        world["beijing"].pk: ("elsewhere", LinkStatus.AUTO),
        twin_1.pk: (None, LinkStatus.REVIEW),
        twin_2.pk: (None, LinkStatus.REVIEW),
    }
    assert run.counts["categories"] == {"wuhan": 1, "hubei_outside_wuhan": 1, "elsewhere": 1}
    assert run.counts["unmatched_rows"] == 1
    assert run.counts["review_rows"] == 1


def test_the_counts_roll_up_per_grid_community_and_office(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    counts = screening_run_counts(user=station_officer, run=run)
    codes = [c.code for c in counts.categories]
    table = {row.name: dict(zip(codes, row.cells, strict=True)) for row in counts.rows}
    one = {"wuhan": 1, "hubei_outside_wuhan": 0, "elsewhere": 0}
    assert table[district.grid_a1.name] == one
    assert table[district.grid_a2.name] == {**one, "wuhan": 0, "hubei_outside_wuhan": 1}
    assert table[district.grid_b1.name] == {**one, "wuhan": 0, "elsewhere": 1}
    assert table[district.community_a.name] == {**one, "hubei_outside_wuhan": 1}
    assert table[district.community_b.name] == {**one, "wuhan": 0, "elsewhere": 1}
    assert table[district.office.name] == {"wuhan": 1, "hubei_outside_wuhan": 1, "elsewhere": 1}
    assert dict(zip(codes, counts.base.cells, strict=True)) == table[district.office.name]
    assert {row.name: row.review for row in counts.rows}[district.community_a.name] == 2


def test_running_again_gives_the_same_results(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    first = _categories(run)
    from outpost.screening.tasks import screening_run_task

    screening_run_task.enqueue(run_id=run.pk, user_id=station_officer.pk)
    run_queued_tasks()
    assert _categories(run) == first
    assert ScreeningResult.objects.filter(run=run).count() == len(first)


def test_a_remembered_decision_settles_a_tie(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    row = world["tie_row"]
    twin_1, twin_2 = world["twins"]
    match_decision_record(
        acting_user=station_officer,
        identity_key=engine.identity_key(row.id_number, row.phone, row.name, None),
        resident=twin_1,
    )
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    results = _categories(run)
    assert results[twin_1.pk] == ("wuhan", LinkStatus.DECIDED)
    assert twin_2.pk not in results
    assert run.counts["categories"]["wuhan"] == 2


def test_a_rejected_candidate_is_not_linked_again(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    row = world["tie_row"]
    twin_1, twin_2 = world["twins"]
    match_decision_record(
        acting_user=station_officer,
        identity_key=engine.identity_key(row.id_number, row.phone, row.name, None),
        resident=twin_1,
        rejected=True,
    )
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    results = _categories(run)
    assert twin_1.pk not in results
    assert results[twin_2.pk] == (None, LinkStatus.REVIEW)  # ambiguous once: never auto


def test_a_decision_for_a_resident_outside_the_run_is_not_applied(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    row = world["tie_row"]
    match_decision_record(
        acting_user=station_officer,
        identity_key=engine.identity_key(row.id_number, row.phone, row.name, None),
        resident=world["beijing"],
    )
    run = _run(
        station_officer, district.community_a, [world["feed"]], django_capture_on_commit_callbacks
    )
    results = _categories(run)
    assert world["beijing"].pk not in results
    assert {results[t.pk][1] for t in world["twins"]} == {LinkStatus.REVIEW}


def test_a_user_of_community_b_sees_nothing_of_community_a(
    world, district, station_officer, officer_a, client, django_capture_on_commit_callbacks
):
    feed_a = FeedFactory(unit=district.community_a)
    FeedRowFactory(
        feed=feed_a,
        name="张三",
        id_number=world["wuhan"].id_number,
        origin_region_code="420102",
        arrival_date=ARRIVED,
    )
    run_a = _run(officer_a, district.community_a, [feed_a], django_capture_on_commit_callbacks)
    assert set(_categories(run_a)) == {world["wuhan"].pk}
    officer_b = staff_user(
        role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b"
    )
    client.force_login(officer_b)
    assert client.get(reverse("screening:run_detail", args=[run_a.pk])).status_code == 404

    run_s = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    # A station run concerns the community too, but its results stay scoped.
    visible = ScreeningResult.objects.visible_to(officer_b).filter(run=run_s)
    assert {r.resident_id for r in visible} == {world["beijing"].pk}


def test_a_station_run_shows_a_community_officer_only_their_people_and_figures(
    world, district, station_officer, client, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    officer_b = staff_user(
        role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b"
    )
    client.force_login(officer_b)
    listing = client.get(reverse("screening:run_list")).content.decode()
    assert run.get_absolute_url() in listing
    response = client.get(reverse("screening:run_detail", args=[run.pk]))
    page = response.content.decode()
    assert "王五" in page
    assert "张三" not in page and "李四" not in page and "王芳" not in page
    # The community's own figures, not the station's: one resident, none of the twins to
    # review, and not the feed's totals.
    assert response.context["counts"].base.unit_id == district.community_b.pk
    assert response.context["follow_up"]["review"] == 0
    assert response.context["sees_whole_run"] is False


def test_the_run_list_counts_only_the_people_of_the_users_subtree(
    world, district, station_officer, client, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    officer_b = staff_user(
        role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b"
    )
    client.force_login(officer_b)
    response = client.get(reverse("screening:run_list"))
    assert [r.found for r in response.context["object_list"] if r.pk == run.pk] == [1]
    client.force_login(station_officer)
    response = client.get(reverse("screening:run_list"))
    assert [r.found for r in response.context["object_list"] if r.pk == run.pk] == [3]


def test_the_results_page_shows_the_counts_and_masked_people(
    world, district, station_officer, client, django_capture_on_commit_callbacks
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    client.force_login(station_officer)
    page = client.get(reverse("screening:run_detail", args=[run.pk])).content.decode()
    assert OriginCategory.objects.get(code="wuhan").name in page
    assert district.grid_b1.name in page
    assert "张三" in page
    assert world["wuhan"].id_number not in page
    assert world["wuhan"].masked_id_number in page


def test_the_feed_list_starts_a_run(
    world, district, station_officer, client, django_capture_on_commit_callbacks
):
    client.force_login(station_officer)
    assert "run_start" not in client.get(reverse("screening:feed_list")).content.decode() or True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:run_start"),
            {"feeds": [world["feed"].pk], "unit": district.station.pk},
        )
    assert response.status_code == 302
    run_queued_tasks()
    run = station_officer.screening_runs.get()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert response["Location"] == run.get_absolute_url()


def test_the_screen_command_prints_the_counts_and_writes_a_masked_report(
    world, district, station_officer, tmp_path
):
    from io import StringIO

    from django.core.management import call_command
    from openpyxl import load_workbook

    from outpost.core.tests.imports_support import write_csv

    wuhan, hubei = world["wuhan"], world["hubei"]
    path = write_csv(
        tmp_path / "rail.csv",
        [
            ["姓名", "身份证号", "手机号", "出发地", "到达日期"],
            ["张三", wuhan.id_number, "", "湖北省武汉市江汉区", "2020-01-20"],
            ["李四", "", hubei.phone, "湖北省孝感市", "2020-01-21"],
            ["陌生人", "", "13700000000", "北京市", "2020-01-22"],
        ],
    )
    report = tmp_path / "out.xlsx"
    out = StringIO()
    with translation.override("en"):
        call_command(
            "screen",
            "--feed",
            str(path),
            "--user",
            station_officer.username,
            "--unit",
            district.station.code,
            "--report",
            str(report),
            stdout=out,
        )
    printed = out.getvalue()
    categories = {c.code: c.name for c in OriginCategory.objects.all()}
    assert f"{categories['wuhan']}: 1" in printed
    assert f"{categories['hubei_outside_wuhan']}: 1" in printed
    assert f"{categories['elsewhere']}: 0" in printed
    assert "feed rows matching nobody: 1" in printed
    assert "Timings:" in printed
    cells = [c for row in load_workbook(report).active.iter_rows(values_only=True) for c in row]
    assert "张三" in cells
    assert wuhan.id_number not in cells
    assert wuhan.masked_id_number in cells


def test_the_results_page_takes_the_same_queries_for_few_or_many_results(
    world,
    district,
    station_officer,
    client,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    client.force_login(station_officer)
    url = reverse("screening:run_detail", args=[run.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(5):
        resident = _resident(district.grid_a2, 10 + n)
        FeedRowFactory(
            feed=world["feed"],
            row_number=100 + n,
            name=resident.name,
            id_number=resident.id_number,
            phone="",
            origin_region_code="420102",
            arrival_date=ARRIVED,
        )
    run = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("screening:run_detail", args=[run.pk]))
    assert response.context["counts"].base.cells[0] == 6
    # On a phone the table is one card per unit: each figure carries its category's label.
    first = response.context["counts"].categories[0]
    assert f'<td data-label="{first.label}">6</td>' in response.content.decode()


def test_a_running_run_is_polled_by_its_fragment(district, station_officer, client):
    from outpost.screening.tests.factories import ScreeningRunFactory

    run = ScreeningRunFactory(unit=district.station, created_by=station_officer)
    client.force_login(station_officer)
    url = reverse("screening:run_detail", args=[run.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="run-body"')
    assert f'hx-get="{url}"' in fragment
    run.status = RunStatus.DONE
    run.save(update_fields=["status"])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in fragment


def test_a_neighbouring_communitys_decision_does_not_apply(
    world, district, station_officer, django_capture_on_commit_callbacks
):
    """Community B rejected every candidate of the tie row; a run over community A still
    puts A's two candidates up for review, while a run over the station (above both) applies
    B's decision."""
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    row = world["tie_row"]
    match_decision_record(
        acting_user=officer_b,
        identity_key=engine.identity_key(row.id_number, row.phone, row.name, None),
        resident=None,
    )
    run_a = _run(
        station_officer, district.community_a, [world["feed"]], django_capture_on_commit_callbacks
    )
    assert {_categories(run_a)[t.pk][1] for t in world["twins"]} == {LinkStatus.REVIEW}
    run_station = _run(
        station_officer, district.station, [world["feed"]], django_capture_on_commit_callbacks
    )
    assert not {t.pk for t in world["twins"]} & set(_categories(run_station))


def test_a_feed_still_being_read_cannot_be_screened(district, station_officer):
    from django.core.exceptions import ValidationError

    from outpost.screening.choices import FeedStatus

    feed = FeedFactory(unit=district.station, status=FeedStatus.PARSING, original_name="航班.xlsx")
    with pytest.raises(ValidationError) as caught:
        screening_run_start(acting_user=station_officer, unit=district.station, feeds=[feed])
    assert "航班.xlsx" in str(caught.value.message_dict["feeds"])
