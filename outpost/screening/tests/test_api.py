"""API of the screening module (`/api/v1/screening/…`): reference data, feeds, runs and
decisions; scoped to the caller's jurisdiction, ID numbers and phones masked."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from outpost.core.choices import Role
from outpost.core.services import api_token_create
from outpost.core.tests.factories import staff_user
from outpost.core.tests.imports_support import write_csv
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from outpost.screening.choices import FeedStatus, LinkStatus, RunStatus
from outpost.screening.models import Feed, MatchDecision, ScreeningRun
from outpost.screening.tests.factories import (
    FeedFactory,
    FeedRowFactory,
    ScreeningResultFactory,
    ScreeningRunFactory,
    TravelDiscrepancyFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "/api/v1/screening"
ARRIVED = datetime.date(2020, 1, 20)
FEED_ID = valid_id_number(77, region="420102", born=datetime.date(1985, 5, 5))
FEED_PHONE = "13787654321"


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


@pytest.fixture
def feeds(district):
    """A feed of community A with a good row and a bad one, and a feed of community B."""
    feed_a = FeedFactory(unit=district.community_a, original_name="甲社区铁路.csv", total_rows=2)
    FeedRowFactory(
        feed=feed_a, row_number=2, name="张三", id_number=FEED_ID, phone=FEED_PHONE,
        origin_region_code="420102", arrival_date=ARRIVED,
    )  # fmt: skip
    FeedRowFactory(
        feed=feed_a, row_number=3, name="李四", id_number="4201021990", phone="13911112222",
        parse_errors=[{"column": "身份证号 (B)", "message": "An ID number has 18 characters."}],
    )  # fmt: skip
    feed_b = FeedFactory(unit=district.community_b, original_name="乙社区铁路.csv")
    FeedRowFactory(feed=feed_b, name="王五")
    return feed_a, feed_b


@pytest.fixture
def resident_a(district):
    """A resident of community A who arrived from Wuhan (the feed row above)."""
    return ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1),
        name="张三",
        id_number=FEED_ID,
        phone=FEED_PHONE,
    )


def post_json(client, path, body):
    return client.post(BASE + path, json.dumps(body), content_type="application/json")


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def done_run(client, user, unit, feed_ids, capture):
    with capture(execute=True):
        response = post_json(client, "/runs", {"unit_id": unit.pk, "feed_ids": feed_ids})
    assert response.status_code == 202, response.content
    run_queued_tasks()
    return response.json()["id"]


# ---------------------------------------------------------------------------- authentication

ANONYMOUS_CASES = [
    ("get", "/designations"),
    ("get", "/origin-categories"),
    ("get", "/regions?q=武汉"),
    ("get", "/feeds"),
    ("get", "/feeds/{feed}"),
    ("get", "/feeds/{feed}/rows"),
    ("post", "/feeds"),
    ("get", "/runs"),
    ("post", "/runs"),
    ("get", "/runs/{run}"),
    ("get", "/runs/{run}/results"),
    ("post", "/decisions"),
    ("get", "/runs/{run}/review"),
    ("post", "/review/{result}/accept"),
    ("post", "/review/{result}/reject"),
    ("post", "/review/{result}/reject-all"),
    ("get", "/discrepancies"),
    ("get", "/discrepancies/{discrepancy}"),
    ("post", "/discrepancies/{discrepancy}/resolve"),
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS_CASES)
def test_anonymous_callers_get_a_401(client, feeds, district, method, path):
    run = ScreeningRunFactory(unit=district.community_a)
    result = ScreeningResultFactory(
        resident=ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    )
    discrepancy = TravelDiscrepancyFactory(resident=result.resident)
    url = BASE + path.format(
        feed=feeds[0].pk, run=run.pk, result=result.pk, discrepancy=discrepancy.pk
    )
    response = client.get(url) if method == "get" else client.post(url, {})
    assert response.status_code == 401


def test_an_api_token_opens_the_feeds(client, officer_a, feeds):
    _token, key = api_token_create(acting_user=officer_a, name="script")
    response = client.get(BASE + "/feeds", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [feeds[0].pk]


# ---------------------------------------------------------------------------- reference data


def test_designations_list_the_regions_windows_and_categories(client, officer_a):
    client.force_login(officer_a)
    response = client.get(BASE + "/designations")
    assert response.status_code == 200
    items = response.json()["items"]
    wuhan = [d for d in items if d["region"] and d["region"]["code"] == "420100"]
    assert wuhan and wuhan[0]["category"]["code"] == "wuhan"
    assert any(d["region"] is None for d in items)  # everywhere else


def test_a_role_without_screening_sees_no_reference_data(client, grid_worker_a1):
    client.force_login(grid_worker_a1)
    assert client.get(BASE + "/designations").status_code == 403
    assert client.get(BASE + "/origin-categories").status_code == 403


def test_origin_categories_come_in_the_stations_order(client, officer_a):
    client.force_login(officer_a)
    codes = [c["code"] for c in client.get(BASE + "/origin-categories").json()]
    assert codes[0] == "wuhan"
    assert len(codes) == 3


def test_regions_are_found_by_short_name_and_code(client, officer_a):
    client.force_login(officer_a)
    by_alias = client.get(BASE + "/regions", {"q": "武汉"}).json()
    assert by_alias[0]["code"] == "420100"
    assert by_alias[0]["parent_code"] == "420000"
    by_code = client.get(BASE + "/regions", {"q": "4201", "limit": 5}).json()
    assert len(by_code) == 5
    assert all(r["code"].startswith("4201") for r in by_code)


def test_a_region_search_without_text_names_q(client, officer_a):
    client.force_login(officer_a)
    response = client.get(BASE + "/regions", {"q": " "})
    assert response.status_code == 422
    assert error_fields(response) == {"q"}


# ---------------------------------------------------------------------------- feeds


def test_an_officer_lists_only_the_feeds_of_their_community(client, officer_a, feeds):
    client.force_login(officer_a)
    items = client.get(BASE + "/feeds").json()["items"]
    assert [(f["id"], f["original_name"], f["total_rows"]) for f in items] == [
        (feeds[0].pk, "甲社区铁路.csv", 2)
    ]


def test_a_feed_of_another_community_is_a_404(client, officer_a, feeds):
    client.force_login(officer_a)
    assert client.get(f"{BASE}/feeds/{feeds[0].pk}").json()["status"] == FeedStatus.PARSED
    assert client.get(f"{BASE}/feeds/{feeds[1].pk}").status_code == 404
    assert client.get(f"{BASE}/feeds/{feeds[1].pk}/rows").status_code == 404


def test_feed_rows_are_masked_and_carry_their_problems(client, officer_a, feeds):
    client.force_login(officer_a)
    response = client.get(f"{BASE}/feeds/{feeds[0].pk}/rows")
    body = response.content.decode()
    assert FEED_ID not in body and FEED_PHONE not in body
    assert "4201021990" not in body and "13911112222" not in body
    rows = response.json()["items"]
    assert [(r["name"], r["id_number_masked"], r["phone_masked"]) for r in rows] == [
        ("张三", FEED_ID[:6] + "********" + FEED_ID[-4:], "137****4321"),
        ("李四", "******1990", "139****2222"),
    ]
    assert rows[1]["parse_errors"] == [
        {"column": "身份证号 (B)", "message": "An ID number has 18 characters."}
    ]
    only_errors = client.get(f"{BASE}/feeds/{feeds[0].pk}/rows", {"errors_only": "true"})
    assert [r["row_number"] for r in only_errors.json()["items"]] == [3]


def _upload(client, district, tmp_path, capture, **overrides):
    path = write_csv(
        tmp_path / "arrivals.csv",
        [["姓名", "身份证号", "手机号", "出发地", "到达日期"],
         ["张三", FEED_ID, FEED_PHONE, "湖北省武汉市江汉区", "2020-01-20"]],
    )  # fmt: skip
    data = {
        "unit_id": district.community_a.pk,
        "source_type": "arrivals",
        "file": SimpleUploadedFile("arrivals.csv", path.read_bytes(), "text/csv"),
    }
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    with capture(execute=True):
        response = client.post(BASE + "/feeds", data)
    return response


def test_a_feed_uploaded_through_the_api_is_read_and_listed(
    client, officer_a, district, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(officer_a)
    response = _upload(client, district, tmp_path, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] in (FeedStatus.QUEUED, FeedStatus.PARSED)
    assert (body["original_name"], body["unit_id"]) == ("arrivals.csv", district.community_a.pk)
    run_queued_tasks()  # an upload read in the background is read now

    feed = client.get(f"{BASE}/feeds/{body['id']}").json()
    assert (feed["status"], feed["total_rows"], feed["error_rows"]) == ("parsed", 1, 0)
    assert body["id"] in [f["id"] for f in client.get(BASE + "/feeds").json()["items"]]
    rows = client.get(f"{BASE}/feeds/{body['id']}/rows")
    assert rows.json()["items"][0]["origin_region_code"] == "420103"
    assert FEED_ID not in rows.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit_id": 999_999}, "unit_id"),
        ({"file": None}, "file"),
        ({"file": SimpleUploadedFile("empty.csv", b"", "text/csv")}, "file"),
        ({"source_type": "pigeon"}, "source_type"),
    ],
    ids=["unknown unit", "missing file", "empty file", "unknown source"],
)
def test_a_refused_upload_names_the_field_and_keeps_nothing(
    client, officer_a, district, settings, tmp_path, django_capture_on_commit_callbacks,
    overrides, field,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(officer_a)
    response = _upload(client, district, tmp_path, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert response.json()["detail"]
    assert not Feed.objects.exists()


def test_an_upload_into_another_community_is_refused(
    client, officer_a, district, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(officer_a)
    response = _upload(
        client, district, tmp_path, django_capture_on_commit_callbacks,
        unit_id=district.community_b.pk,
    )  # fmt: skip
    assert response.status_code == 422
    assert error_fields(response) == {"unit_id"}
    assert not Feed.objects.exists()


def test_a_role_that_may_not_upload_gets_a_403(
    client, grid_worker_a1, district, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(grid_worker_a1)
    response = _upload(client, district, tmp_path, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Feed.objects.exists()


# ---------------------------------------------------------------------------- runs


def test_a_run_started_through_the_api_finds_the_arrival_masked(
    client, officer_a, district, feeds, resident_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client, "/runs", {"unit_id": district.community_a.pk, "feed_ids": [feeds[0].pk]}
        )
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["feed_ids"]) == (
        RunStatus.QUEUED,
        [feeds[0].pk],
    )
    run_queued_tasks()

    run_id = response.json()["id"]
    run = client.get(f"{BASE}/runs/{run_id}").json()
    assert (run["status"], run["progress"]) == (RunStatus.DONE, 100)
    assert run["counts"]["categories"] == {"wuhan": 1}
    assert run["unit_counts"]["by_category"]["wuhan"] == 1
    assert [(u["name"], u["by_category"]["wuhan"]) for u in run["subunit_counts"]] == [
        (district.grid_a1.name, 1)
    ]
    results = client.get(f"{BASE}/runs/{run_id}/results")
    body = results.content.decode()
    assert FEED_ID not in body and FEED_PHONE not in body
    [result] = results.json()["items"]
    assert result["resident_id"] == resident_a.pk
    assert (result["resident_name"], result["id_number_masked"]) == (
        "张三",
        resident_a.masked_id_number,
    )
    assert (result["phone_masked"], result["unit_name"]) == ("137****4321", district.grid_a1.name)
    assert (result["category_code"], result["arrival_date"]) == ("wuhan", "2020-01-20")
    assert result["status"] == LinkStatus.AUTO
    assert [(s["feed"], s["row"]) for s in result["sources"]] == [("甲社区铁路.csv", 2)]


def test_results_filter_by_status_and_category(
    client, officer_a, district, feeds, resident_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    run_id = done_run(
        client, officer_a, district.community_a, [feeds[0].pk], django_capture_on_commit_callbacks
    )
    url = f"{BASE}/runs/{run_id}/results"
    assert len(client.get(url, {"category": "wuhan", "status": "auto"}).json()["items"]) == 1
    assert client.get(url, {"category": "elsewhere"}).json()["items"] == []
    assert client.get(url, {"status": "review"}).json()["items"] == []
    unknown = client.get(url, {"category": "mars"})
    assert unknown.status_code == 422
    assert error_fields(unknown) == {"category"}
    assert error_fields(client.get(url, {"status": "maybe"})) == {"status"}


def test_runs_of_another_community_are_a_404_and_not_listed(client, officer_a, district):
    own = ScreeningRunFactory(unit=district.community_a)
    other = ScreeningRunFactory(unit=district.community_b)
    client.force_login(officer_a)
    assert [r["id"] for r in client.get(BASE + "/runs").json()["items"]] == [own.pk]
    assert client.get(f"{BASE}/runs/{own.pk}").json()["status"] == RunStatus.QUEUED
    assert client.get(f"{BASE}/runs/{other.pk}").status_code == 404
    assert client.get(f"{BASE}/runs/{other.pk}/results").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_id": "B", "feed_ids": ["B"]}, "feed_ids"),
        ({"unit_id": "B", "feed_ids": []}, "feed_ids"),
        ({"unit_id": "B_UNIT", "feed_ids": ["A"]}, "unit_id"),
        ({"unit_id": None, "feed_ids": ["A"]}, "unit_id"),
    ],
    ids=["feed of another community", "no feed", "unit of another community", "no unit"],
)
def test_a_refused_run_names_the_field_and_starts_nothing(
    client, officer_a, district, feeds, body, field
):
    ids = {"A": feeds[0].pk, "B": feeds[1].pk}
    units = {"B": district.community_a.pk, "B_UNIT": district.community_b.pk, None: None}
    client.force_login(officer_a)
    response = post_json(
        client,
        "/runs",
        {"unit_id": units[body["unit_id"]], "feed_ids": [ids[f] for f in body["feed_ids"]]},
    )
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert not ScreeningRun.objects.exists()


def test_a_role_that_may_only_view_cannot_start_a_run(client, district, feeds):
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a, username="analyst")
    client.force_login(analyst)
    response = post_json(
        client, "/runs", {"unit_id": district.community_a.pk, "feed_ids": [feeds[0].pk]}
    )
    assert response.status_code == 403
    assert client.get(BASE + "/runs").status_code == 200


# ---------------------------------------------------------------------------- decisions


def test_a_decision_is_recorded_in_the_residents_unit(client, officer_a, resident_a):
    client.force_login(officer_a)
    response = post_json(
        client, "/decisions", {"identity_key": "k-123", "resident_id": resident_a.pk}
    )
    assert response.status_code == 201
    assert (response.json()["resident_id"], response.json()["rejected"]) == (resident_a.pk, False)
    decision = MatchDecision.objects.get()
    assert (decision.unit, decision.decided_by) == (resident_a.unit, officer_a)


def test_rejecting_every_candidate_needs_no_resident(client, officer_a, district):
    client.force_login(officer_a)
    response = post_json(client, "/decisions", {"identity_key": "k-9", "rejected": True})
    assert response.status_code == 201
    assert MatchDecision.objects.get().unit == district.community_a


def test_a_decision_on_a_resident_of_another_community_is_a_404(client, officer_a, district):
    stranger = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    client.force_login(officer_a)
    response = post_json(client, "/decisions", {"identity_key": "k-1", "resident_id": stranger.pk})
    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"identity_key": "k-1"}, "resident_id"),
        ({"identity_key": "", "rejected": True}, "identity_key"),
        ({"rejected": True}, "identity_key"),
    ],
    ids=["accept without resident", "blank key", "missing key"],
)
def test_a_refused_decision_names_the_field(client, officer_a, body, field):
    client.force_login(officer_a)
    response = post_json(client, "/decisions", body)
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert not MatchDecision.objects.exists()


def test_a_role_that_may_not_decide_gets_a_403(client, district, resident_a):
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a, username="analyst")
    client.force_login(analyst)
    response = post_json(client, "/decisions", {"identity_key": "k", "resident_id": resident_a.pk})
    assert response.status_code == 403
    assert not MatchDecision.objects.exists()


def test_the_feed_list_takes_the_same_queries_for_one_feed_or_many(
    client, officer_a, district, django_assert_max_num_queries
):
    FeedFactory(unit=district.community_a)
    client.force_login(officer_a)
    with django_assert_max_num_queries(8) as one:
        client.get(BASE + "/feeds")
    for _ in range(5):
        FeedFactory(unit=district.grid_a1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        items = client.get(BASE + "/feeds").json()["items"]
    assert len(items) == 6


# ---------------------------------------------------------------------------- review queue


@pytest.fixture
def twins(district, feeds):
    """Two residents of community A whom one feed row fits equally (name and phone): the
    run puts them in the review queue."""
    twins = [
        ResidentFactory(
            household=HouseholdFactory(unit=grid), name="王芳", phone="13900000009",
            id_number=valid_id_number(500 + n, born=datetime.date(1970 + n, 1, 1)),
        )
        for n, grid in enumerate([district.grid_a1, district.grid_a2])
    ]  # fmt: skip
    FeedRowFactory(
        feed=feeds[0], row_number=4, name="王芳", id_number="", phone="13900000009",
        origin_region_code="420102", arrival_date=ARRIVED,
    )  # fmt: skip
    return twins


@pytest.fixture
def review_run(client, officer_a, district, feeds, twins, django_capture_on_commit_callbacks):
    client.force_login(officer_a)
    return done_run(
        client, officer_a, district.community_a, [feeds[0].pk], django_capture_on_commit_callbacks
    )


def test_the_review_queue_shows_the_feed_row_beside_each_masked_candidate(
    client, review_run, twins
):
    response = client.get(f"{BASE}/runs/{review_run}/review")
    assert response.status_code == 200
    body = response.content.decode()
    assert "13900000009" not in body
    assert all(t.id_number not in body for t in twins)
    [item] = response.json()["items"]
    assert [(r["name"], r["phone_masked"]) for r in item["rows"]] == [("王芳", "139****0009")]
    assert {c["resident_id"] for c in item["candidates"]} == {t.pk for t in twins}
    assert all("phone" in c["agreed"] for c in item["candidates"])


def test_accepting_a_candidate_links_them_and_empties_the_queue(client, review_run, twins):
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    chosen = next(c for c in item["candidates"] if c["resident_id"] == twins[0].pk)
    response = client.post(f"{BASE}/review/{chosen['result_id']}/accept")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "accepted"
    assert (body["result"]["status"], body["result"]["category_code"]) == ("decided", "wuhan")
    assert body["run_counts"]["review"] == 0
    assert client.get(f"{BASE}/runs/{review_run}/review").json()["items"] == []
    assert MatchDecision.objects.get().resident == twins[0]
    again = client.post(f"{BASE}/review/{chosen['result_id']}/accept")
    assert again.status_code == 409
    assert again.json()["detail"]


def test_rejecting_a_candidate_leaves_the_other_to_review(client, review_run, twins):
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    wrong = next(c for c in item["candidates"] if c["resident_id"] == twins[1].pk)
    response = client.post(f"{BASE}/review/{wrong['result_id']}/reject")
    assert (response.status_code, response.json()["result"]) == (200, None)
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    assert [c["resident_id"] for c in item["candidates"]] == [twins[0].pk]
    assert MatchDecision.objects.get().rejected


def test_none_of_these_empties_the_item(client, review_run):
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    response = client.post(f"{BASE}/review/{item['candidates'][0]['result_id']}/reject-all")
    assert response.json()["outcome"] == "rejected_all"
    assert client.get(f"{BASE}/runs/{review_run}/review").json()["items"] == []


def test_review_of_another_community_is_a_404(client, review_run, officer_b):
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    client.force_login(officer_b)
    assert client.get(f"{BASE}/runs/{review_run}/review").status_code == 404
    result_id = item["candidates"][0]["result_id"]
    assert client.post(f"{BASE}/review/{result_id}/accept").status_code == 404
    assert not MatchDecision.objects.exists()


def test_a_role_that_may_only_view_cannot_decide_a_review(client, review_run, district):
    [item] = client.get(f"{BASE}/runs/{review_run}/review").json()["items"]
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a, username="analyst")
    client.force_login(analyst)
    assert client.get(f"{BASE}/runs/{review_run}/review").status_code == 200
    result_id = item["candidates"][0]["result_id"]
    assert client.post(f"{BASE}/review/{result_id}/reject").status_code == 403
    assert not MatchDecision.objects.exists()


# ---------------------------------------------------------------------------- discrepancies


@pytest.fixture
def discrepancies(district):
    own = TravelDiscrepancyFactory(
        resident=ResidentFactory(
            household=HouseholdFactory(unit=district.grid_a1), name="隐瞒者",
            id_number=FEED_ID, phone=FEED_PHONE,
        )
    )  # fmt: skip
    other = TravelDiscrepancyFactory(
        resident=ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), name="乙某")
    )
    return own, other


def test_discrepancies_list_their_own_community_masked(client, officer_a, discrepancies):
    own, _other = discrepancies
    client.force_login(officer_a)
    response = client.get(BASE + "/discrepancies")
    body = response.content.decode()
    assert FEED_ID not in body and FEED_PHONE not in body
    [item] = response.json()["items"]
    assert (item["id"], item["resident_name"], item["phone_masked"]) == (
        own.pk,
        "隐瞒者",
        "137****4321",
    )
    assert (item["kind"], item["feed_region_code"], item["status"]) == (
        "no_travel",
        "420102",
        "open",
    )
    assert client.get(BASE + "/discrepancies", {"status": "resolved"}).json()["items"] == []


def test_a_discrepancy_of_another_community_is_a_404(client, officer_a, discrepancies):
    own, other = discrepancies
    client.force_login(officer_a)
    assert client.get(f"{BASE}/discrepancies/{own.pk}").json()["resident_name"] == "隐瞒者"
    assert client.get(f"{BASE}/discrepancies/{other.pk}").status_code == 404
    response = post_json(
        client, f"/discrepancies/{other.pk}/resolve", {"outcome": "concealed", "note": "电话核实"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_open


def test_discrepancy_filters_name_a_community_outside_the_jurisdiction(
    client, officer_a, district, discrepancies
):
    client.force_login(officer_a)
    own = client.get(BASE + "/discrepancies", {"community_id": district.community_a.pk})
    assert len(own.json()["items"]) == 1
    other = client.get(BASE + "/discrepancies", {"community_id": district.community_b.pk})
    assert other.status_code == 422
    assert error_fields(other) == {"community_id"}
    assert error_fields(client.get(BASE + "/discrepancies", {"status": "maybe"})) == {"status"}


def test_resolving_a_discrepancy_records_the_verification_once(client, officer_a, discrepancies):
    own, _other = discrepancies
    client.force_login(officer_a)
    url = f"/discrepancies/{own.pk}/resolve"
    response = post_json(client, url, {"outcome": "concealed", "note": "电话核实，承认隐瞒"})
    assert response.status_code == 200
    assert response.json()["status"] == "concealed"
    own.refresh_from_db()
    assert (own.status, own.resolved_by) == ("concealed", officer_a)
    assert client.get(BASE + "/discrepancies", {"status": "resolved"}).json()["count"] == 1
    again = post_json(client, url, {"outcome": "feed_wrong", "note": "再次"})
    assert again.status_code == 409
    own.refresh_from_db()
    assert own.status == "concealed"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"outcome": "concealed", "note": "  "}, {"note"}),
        ({"outcome": "open", "note": "电话核实"}, {"outcome"}),
        ({"outcome": "concealed"}, {"note"}),
    ],
    ids=["blank note", "not an outcome", "missing note"],
)
def test_a_refused_verification_names_the_field(client, officer_a, discrepancies, body, fields):
    own, _other = discrepancies
    client.force_login(officer_a)
    response = post_json(client, f"/discrepancies/{own.pk}/resolve", body)
    assert response.status_code == 422
    assert error_fields(response) == fields
    own.refresh_from_db()
    assert own.is_open


def test_a_role_that_may_only_view_cannot_resolve(client, district, discrepancies):
    own, _other = discrepancies
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a, username="analyst")
    client.force_login(analyst)
    assert client.get(f"{BASE}/discrepancies/{own.pk}").status_code == 200
    response = post_json(
        client, f"/discrepancies/{own.pk}/resolve", {"outcome": "concealed", "note": "电话核实"}
    )
    assert response.status_code == 403


def test_a_station_run_gives_a_community_caller_only_their_own_counts(client, officer_a, district):
    run = ScreeningRunFactory(
        unit=district.station, status=RunStatus.DONE, counts={"linked": 2, "rows": 9}
    )
    for grid in (district.grid_a1, district.grid_b1):
        ScreeningResultFactory(
            run=run,
            resident=ResidentFactory(household=HouseholdFactory(unit=grid)),
            status=LinkStatus.AUTO,
        )
    client.force_login(officer_a)
    listed = client.get(BASE + "/runs").json()["items"]
    assert [(r["id"], r["counts"]["linked"]) for r in listed] == [(run.pk, 1)]
    assert "rows" not in client.get(f"{BASE}/runs/{run.pk}").json()["counts"]
