"""The shipped regions: loaded by the migration, idempotent, with parents and short names."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from outpost.screening.models import OriginCategory, Region, RiskDesignation
from outpost.screening.regions import RegionIndex, region_alias, regions_load
from outpost.screening.selectors import origin_category_for

pytestmark = pytest.mark.django_db

IN_WINDOW = datetime.date(2020, 1, 20)


def test_the_migration_loads_more_than_3000_regions():
    assert Region.objects.count() > 3000
    assert Region.objects.get(code="420000").level == "province"
    assert Region.objects.get(code="420100").level == "city"


def test_wuhan_districts_hang_under_wuhan():
    wuhan = Region.objects.get(code="420100")
    districts = set(wuhan.children.values_list("name", flat=True))
    assert {"江岸区", "江汉区", "武昌区", "洪山区", "江夏区", "新洲区"} <= districts
    assert len(districts) == 13
    assert wuhan.parent.code == "420000"


def test_municipality_districts_hang_under_the_province():
    assert Region.objects.get(code="110105").parent.code == "110000"


def test_aliases_drop_the_suffix():
    assert Region.objects.get(code="420100").alias == "武汉"
    assert Region.objects.get(code="420000").alias == "湖北"
    assert region_alias("广西壮族自治区") == "广西"
    assert region_alias("忠县") == ""


def test_loading_again_changes_nothing():
    before = Region.objects.count()
    assert regions_load(Region) == (0, 0)
    assert Region.objects.count() == before


def test_loading_restores_a_changed_name():
    Region.objects.filter(code="420100").update(name="x", alias="")
    assert regions_load(Region) == (0, 1)
    assert Region.objects.get(code="420100").alias == "武汉"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("湖北省武汉市江汉区", "420103"),
        ("武汉", "420100"),
        ("武汉市", "420100"),
        ("湖北孝感", "420900"),
        ("北京", "110000"),
        ("鼓楼区", ""),  # four cities have one
        ("火星", ""),
    ],
)
def test_a_place_written_in_a_feed_finds_its_region(text, code):
    assert RegionIndex.from_database().code_for(text) == code


def test_default_categories_are_seeded_in_order():
    assert list(OriginCategory.objects.values_list("name", flat=True)) == [
        "武汉来连",
        "湖北省内武汉以外来连",
        "湖北省以外其他地区来连",
    ]
    assert RiskDesignation.objects.count() == 3


def test_a_wuhan_district_is_from_wuhan():
    assert origin_category_for("420111", IN_WINDOW).code == "wuhan"


def test_a_hubei_city_outside_wuhan_is_from_hubei():
    assert origin_category_for("420900", IN_WINDOW).code == "hubei_outside_wuhan"
    assert origin_category_for("420921", IN_WINDOW).code == "hubei_outside_wuhan"


def test_beijing_is_from_elsewhere():
    assert origin_category_for("110105", IN_WINDOW).code == "elsewhere"


def test_outside_the_window_no_category_applies():
    assert origin_category_for("420111", datetime.date(2020, 6, 1)) is None
    assert origin_category_for("110105", datetime.date(2019, 12, 31)) is None


def test_a_county_designation_overrides_its_city():
    RiskDesignation.objects.create(
        region=Region.objects.get(code="420115"),
        level="medium",
        start_date=IN_WINDOW,
        end_date=IN_WINDOW,
        category=OriginCategory.objects.get(code="hubei_outside_wuhan"),
    )
    assert origin_category_for("420115", IN_WINDOW).code == "hubei_outside_wuhan"
    assert origin_category_for("420111", IN_WINDOW).code == "wuhan"


def test_a_code_that_is_not_a_region_code_has_no_category():
    assert origin_category_for("", IN_WINDOW) is None
    assert origin_category_for("42AB", IN_WINDOW) is None


def test_the_regions_load_command_reports_and_changes_nothing_twice():
    out = StringIO()
    with translation.override("en"):
        call_command("regions_load", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
