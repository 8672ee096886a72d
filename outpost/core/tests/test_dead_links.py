"""No dead ends (DESIGN: buttons only where the role may act): for every role, the home page,
every menu page and every page they link to are walked; each link followed and each form
target tried must not answer 403, 404 or 405. A link or button a role is shown is one it
may use."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.tests.test_scoping import scoped_factories, spanning_factories

DEAD = {403, 404, 405}
# Not followed: leaving the session, static files, the Django admin (its own app).
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/logout/")
# Where each role works in the test district.
ROLE_UNITS = {
    Role.STATION_LEADER: "station",
    Role.POLICE_OFFICER: "community_a",
    Role.AUXILIARY_POLICE: "community_a",
    Role.COMMUNITY_CADRE: "community_a",
    Role.GRID_WORKER: "grid_a1",
    Role.MEDICAL_STAFF: "community_a",
    Role.ANALYST: "station",
    Role.ENTERPRISE_LIAISON: "community_a",
    Role.ADMINISTRATOR: "station",
}


class _Targets(HTMLParser):
    """The same-origin links (href) of a page, and its forms: target, method and what a
    click on the form's first button sends (its hidden fields and the button's value)."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base
        self.links: set[str] = set()
        self.forms: list[tuple[str, str, dict]] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            url = self._local(attrs["href"])
            if url:
                self.links.add(url)
        elif tag == "form":
            url = self._local(attrs.get("action") or self.base)
            self._form = {"url": url, "method": (attrs.get("method") or "get").lower()}
            self._form["data"], self._form["button"] = {}, None
        elif self._form is not None and tag in ("input", "button"):
            kind = attrs.get("type", "submit" if tag == "button" else "text")
            if kind == "hidden" and attrs.get("name"):
                self._form["data"][attrs["name"]] = attrs.get("value") or ""
            elif kind == "submit" and self._form["button"] is None:
                self._form["button"] = (attrs.get("name"), attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            form, self._form = self._form, None
            if form["url"]:
                data = dict(form["data"])
                if form["button"] and form["button"][0]:
                    data[form["button"][0]] = form["button"][1]
                self.forms.append((form["url"], form["method"], data))

    def _local(self, href: str) -> str | None:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return None
        parts = urlsplit(urljoin(self.base, href))
        if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIPPED_PREFIXES):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")


def _targets(url: str, html: str) -> _Targets:
    parser = _Targets(url)
    parser.feed(html)
    return parser


@pytest.fixture
def world(district):
    """One row of every scoped model in grid A1, and the station's work over both
    communities (a run, an order, a campaign)."""
    for make in scoped_factories().values():
        make(district.grid_a1)
    for make in spanning_factories().values():
        make(district.station, district.grid_a1, district.grid_b1)
    return district


# Pages of one route differ only by their record: a few of each are enough.
PER_ROUTE = 2


def _walk(client, start: list[str]) -> dict[str, int]:
    """GET the start pages, every link on them and on the pages they lead to (two steps),
    then send every POST form seen as its first button would; the status of each."""
    seen: dict[str, int] = {}
    per_route: Counter = Counter()
    posts: dict[str, dict] = {}
    frontier = list(start)
    for _step in range(3):
        following = []
        for url in frontier:
            if url in seen:
                continue
            route = _route(url)
            per_route[route] += 1
            if per_route[route] > PER_ROUTE and url not in start:
                continue
            response = client.get(url)
            seen[url] = response.status_code
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            targets = _targets(url, response.content.decode())
            following.extend(sorted(targets.links))
            for action, method, data in targets.forms:
                if method == "post":
                    posts.setdefault(action, data)
                else:
                    following.append(action)
        frontier = following
    per_route.clear()
    for action, data in sorted(posts.items()):
        route = _route(action)
        per_route[route] += 1
        if action.startswith(reverse("set_language")) or per_route[route] > PER_ROUTE:
            continue
        seen[f"POST {action}"] = client.post(action, data).status_code
    return seen


def _route(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_nothing_a_role_is_shown_leads_to_a_403_404_or_405(client, world, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = staff_user(role=role, unit=getattr(world, ROLE_UNITS[role]), username=f"walk-{role}")
    client.force_login(user)
    home = client.get(reverse("home"))
    menu = [item["url"] for item in home.context["nav_items"]]
    statuses = _walk(client, [reverse("home"), *menu])
    dead = {url: status for url, status in statuses.items() if status in DEAD}
    assert dead == {}, f"{role}: {dead}"
