"""Words (DESIGN rule 5): every page in the user's language, whichever role opens it.

The walk renders the pages of several roles in Chinese and in English and reads their
visible text: on a Chinese page no text may be an English catalogue string that has a
Chinese translation (a string that missed gettext, or a msgid used where another one is
translated); on an English page no Chinese may come from code, only from the data people
typed — and not even from configuration rows that have an English name (team roles,
origin categories).
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from outpost.briefing.reports import daily_report
from outpost.core.audit import record_history
from outpost.core.choices import Role
from outpost.core.tests.factories import TEST_PASSWORD, staff_user
from outpost.core.tests.test_scoping import _pattern_for, scoped_factories, web_routes
from outpost.core.viewmixins import ScopedViewMixin
from outpost.keypersons.forms import ContactForm
from outpost.keypersons.models import ContactEntry, TeamRole
from outpost.observation.forms import STATUS_FILTER_CHOICES, STATUS_OPEN, SiteForm, StayCheckInForm
from outpost.observation.models import Alert
from outpost.registry.forms import CampaignForm, NewMemberForm, VisitForm
from outpost.registry.models import Household
from outpost.screening.models import OriginCategory

PO_PATH = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Visible besides text nodes: what a screen reader says, a tooltip, the mobile table labels.
VISIBLE_ATTRIBUTES = {"placeholder", "aria-label", "title", "data-label"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011—…“”·]+")
# Deliberately in their own language: the switch offers "English" on a Chinese page.
OWN_LANGUAGE_LABELS = {"English", "中文"}
ROLES = [
    (Role.STATION_LEADER, "station"),
    (Role.POLICE_OFFICER, "community_a"),
    (Role.GRID_WORKER, "grid_a1"),
    (Role.MEDICAL_STAFF, "community_a"),
    (Role.ADMINISTRATOR, "station"),
]


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def translated_msgids():
    """English catalogue strings whose Chinese differs (so showing them is a miss)."""
    po = polib.pofile(str(PO_PATH))
    return {
        entry.msgid
        for entry in po
        if entry.msgstr and entry.msgstr != entry.msgid and not entry.msgid_plural
    }


def _page_urls(records):
    """Every GET page without arguments, and every scoped detail page of a row of grid A1."""
    for _pattern, name, _ns, callback in web_routes():
        view_class = getattr(callback, "view_class", None)
        if not name or (view_class and "get" not in view_class.http_method_names):
            continue
        pattern = _pattern_for(name)
        if "<" not in pattern:
            yield reverse(name)
        elif (
            view_class is not None
            and issubclass(view_class, ScopedViewMixin)
            and pattern.count("<") == 1
            and view_class.model in records
        ):
            yield reverse(name, args=[records[view_class.model].pk])


def _pages(client, district, records, language):
    for role, unit_name in ROLES:
        user = staff_user(role=role, unit=getattr(district, unit_name))
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # logout drops cookies
        for url in _page_urls(records):
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                yield f"{role.value} {url}", response.content.decode()
        client.logout()


def _allowed_chinese():
    """Every text people typed or imported, from every table (and the addresses made of
    them): Chinese shown from these is data. Names of rows that have an English name are
    left out: they must show it. Chinese written into the English source on purpose (the
    headings of Chinese spreadsheets) is allowed too, and so are the deployment's words
    from its settings."""
    found = {entry.msgid for entry in polib.pofile(str(PO_PATH))}
    found.update(household.address for household in Household.objects.all())
    # The deployment's classification line is its own words, set in its settings.
    found.add(settings.OUTPOST_CLASSIFICATION)
    for model in apps.get_models():
        if not model.__module__.startswith("outpost."):
            continue
        bilingual = any(f.name == "name_en" for f in model._meta.fields)
        fields = [
            f.name
            for f in model._meta.fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not (bilingual and f.name == "name")
        ]
        if fields:
            for row in model._base_manager.values_list(*fields):
                found.update(
                    json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                    for value in row
                    if value
                )
    return "\n".join(found)


@pytest.fixture
def records(district):
    return {model: make(district.grid_a1) for model, make in scoped_factories().items()}


@pytest.mark.django_db
def test_chinese_pages_show_no_untranslated_catalogue_string(
    client, district, records, translated_msgids
):
    misses = {
        (page, text)
        for page, html in _pages(client, district, records, "zh-hans")
        for text in visible_texts(html)
        if (text in translated_msgids and text not in OWN_LANGUAGE_LABELS) or "---------" in text
    }
    assert sorted(misses) == [], "\n".join(map(str, sorted(misses)))


@pytest.mark.django_db
def test_english_pages_show_no_chinese_from_code(client, district, records):
    pages = list(_pages(client, district, records, "en"))
    data = _allowed_chinese()
    misses = {
        (page, run)
        for page, html in pages
        for text in visible_texts(html)
        if text not in OWN_LANGUAGE_LABELS
        for run in CJK.findall(text)
        if re.search(r"[\u3400-\u9fff]", run) and run not in data
    }
    assert sorted(misses) == [], "\n".join(map(str, sorted(misses)))


# ---------------------------------------------------------------- one word, its own meaning


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


@pytest.mark.parametrize(
    ("label", "chinese"),
    [
        # A campaign, a unit and a site have a 名称; a person has a 姓名.
        (lambda: CampaignForm.base_fields["name"].label, "名称"),
        (lambda: SiteForm.base_fields["name"].label, "名称"),
        (lambda: NewMemberForm.base_fields["name"].label, "姓名"),
        # The outcome of a contact is not that of a door-to-door visit.
        (lambda: ContactForm.base_fields["outcome"].label, "联系结果"),
        (lambda: ContactEntry._meta.get_field("outcome").verbose_name, "联系结果"),
        (lambda: VisitForm.base_fields["outcome"].label, "走访结果"),
        (lambda: Alert._meta.get_field("outcome").verbose_name, "处置结果"),
        # The episode list's "open" filter means the people still observed, not "view".
        (lambda: dict(STATUS_FILTER_CHOICES)[STATUS_OPEN], "未解除"),
        # The dispatch progress counts open items; 查看 ("view") is the word of a link.
        (lambda: pgettext("items", "Open"), "未办结"),
        # The site report's line counts the alerts raised; 预警时间 is a time.
        (lambda: pgettext("alert count", "Raised"), "新发预警"),
        # An empty choice asks to choose instead of showing dashes.
        (lambda: StayCheckInForm.base_fields["room"].empty_label, "请选择…"),
    ],
    ids=[
        "campaign",
        "site",
        "person",
        "contact form",
        "contact field",
        "visit",
        "alert",
        "open episodes",
        "open items",
        "alerts raised",
        "empty choice",
    ],
)
def test_each_use_of_a_word_has_its_own_chinese(label, chinese):
    assert _zh(label()) == chinese


@pytest.mark.django_db
def test_menu_names_the_discrepancy_page_as_the_page_does(client, district, settings):
    user = staff_user(role=Role.STATION_LEADER, unit=district.station)
    client.force_login(user)
    page = client.get(reverse("screening:discrepancy_list")).content.decode()
    assert page.count("疑似瞒报出行") >= 2  # the menu and the heading
    assert "出行信息不一致" not in page


@pytest.mark.django_db
def test_unit_and_campaign_lists_head_the_name_column_mingcheng(client, district):
    client.force_login(staff_user(role=Role.STATION_LEADER, unit=district.station))
    for url in (reverse("core:unit_list"), reverse("registry:campaign_list")):
        page = client.get(url).content.decode()
        assert "<th>名称</th>" in page and "<th>姓名</th>" not in page


@pytest.mark.django_db
def test_history_says_what_happened_not_when(district):
    unit = district.grid_a1
    unit.name = "甲社区第一网格"
    unit.save()
    with translation.override("zh-hans"):
        kinds = [entry.kind for entry in record_history(unit)]
    assert kinds[0] == "修改" and kinds[-1] == "新建"
    assert "创建时间" not in kinds


@pytest.mark.django_db
def test_key_person_list_heads_the_category_column_as_a_category(client, district):
    client.force_login(staff_user(role=Role.STATION_LEADER, unit=district.station))
    page = client.get(reverse("keypersons:list")).content.decode()
    assert "来连类别" in page and "出发地" not in page


@pytest.mark.django_db
def test_daily_report_alert_table_has_a_handling_outcome_column(district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    with translation.override("zh-hans"):
        report = daily_report(user=leader, unit=district.station, day=timezone.localdate())
        alerts = next(listed for listed in report.lists if listed.key == "alerts_raised")
        headings = [str(column.label) for column in alerts.columns]
    assert "处置结果" in headings and "走访结果" not in headings


# ------------------------------------------------------------- English names of data rows


@pytest.mark.django_db
def test_shipped_team_roles_and_origin_categories_have_english_names():
    cadre, wuhan = TeamRole.objects.get(code="cadre"), OriginCategory.objects.get(code="wuhan")
    with translation.override("en"):
        assert (str(cadre), str(wuhan)) == ("Community cadre", "Arrivals from Wuhan")
    with translation.override("zh-hans"):
        assert (str(cadre), str(wuhan)) == ("社区干部", "武汉来连")


# ---------------------------------------------------------- the language kept per user


def _log_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_chosen_language_is_kept_across_logins(client, district):
    user = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_en")
    _log_in(client, "grid_en")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.logout()

    other_browser = Client()
    _log_in(other_browser, "grid_en")
    assert '<html lang="en">' in other_browser.get("/").content.decode()
    user.staff_profile.refresh_from_db()
    assert user.staff_profile.language == "en"


@pytest.mark.django_db
def test_a_user_without_a_choice_still_opens_in_chinese(client, district):
    staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_zh")
    _log_in(client, "grid_zh")
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
