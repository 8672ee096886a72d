"""DESIGN rule 1: every route that shows personal data is scoped to the user's subtree.

The walk covers every URL pattern and every API operation. A route must either be a
scoped view (`ScopedViewMixin`) / declare its scoped model (`scoped_route`), be on the
short list of personal-data-free routes below, or serve one user's own background job
(`OWNER_ONLY_FACTORIES`); anything else fails here. Scoped routes are then exercised with
a record in community A and one in community B, as an officer of community A; owner-only
routes with a job of one officer, opened by a colleague. Every scoped API write (any
method but GET) names a sample body in its app's `WRITE_PAYLOADS`; the walk sends it as the
officer of community A against B's record, expects a 404 and finds nothing written.
"""

import importlib
import json

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from outpost.api import api
from outpost.core.api_support import FREE_KEY, ID_IN_BODY_KEY, SCOPE_KEY
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.viewmixins import ScopedViewMixin

# URL names that show no personal data, each with the reason.
PERSONAL_DATA_FREE_URLS = {
    "home": "counts of the user's own scope only",
    "login": "log-in form",
    "logout": "log-out",
    "set_language": "language switch",
    "core:unit_list": "unit names of the user's subtree",
    "core:access_log": "audit log for auditors; tested in test_access_log",
    "core:access_log_export": (
        "POST-only: queues the access log of the user's subtree (a unit filter outside it is "
        "a 404) and leads to the user's own export; core/tests/test_access_log_page.py"
    ),
    "core:processing_register": (
        "the declarations of the processing register, no records; "
        "core/tests/test_processing_register.py"
    ),
    "core:processing_register_export": (
        "POST-only: queues the processing register (declarations, no records) and leads to "
        "the user's own export; core/tests/test_processing_register.py"
    ),
    **{
        name: "old address of an export page: redirects to core:export_*, which checks the owner"
        for name in (
            "registry:export_status",
            "registry:export_download",
            "keypersons:ledger_status",
            "keypersons:ledger_download",
            "dispatch:feedback_status",
            "dispatch:feedback_download",
            "briefing:report_status",
            "briefing:report_download",
        )
    },
    "fieldwork:offline": (
        "the offline page's shell: it holds no records (its script shows the field copy, "
        "fieldwork/tests/test_field_copy.py)"
    ),
    "service_worker": "the service worker's script",
    "web_manifest": "the web app manifest",
    "core:api_tokens": "the user's own API tokens: names and dates; core/tests/test_api_tokens",
    "core:api_token_revoke": "POST-only: one of the user's own tokens, else 404; test_api_tokens",
    "notify:inbox": "the user's own inbox only; tested in notify/tests/test_inbox",
    "enterprises:mine": (
        "the liaison's own enterprise only, found by its login's binding (staff: none); "
        "enterprises/tests/test_views.py"
    ),
    "notify:inbox_read_all": "marks the user's own messages read; notify/tests/test_inbox",
    "notify:preferences": "the user's own notification settings; notify/tests/test_kinds",
    "notify:message_read": "one of the user's own messages, else 404; notify/tests/test_inbox",
    "registry:campaign_create": "form listing unit names of the user's subtree",
    "screening:designation_list": "risk regions and date windows (public reference data)",
    "screening:designation_create": "form for risk regions (public reference data)",
    "screening:designation_update": "form for risk regions (public reference data)",
    "screening:feed_upload": "form listing unit names of the user's subtree",
    "screening:run_start": "form listing feed file names and units of the user's subtree",
    "keypersons:from_screening": (
        "POST-only action: looks the run and results up within the user's scope and "
        "redirects to the scoped key-person list; tested in keypersons/tests/test_views.py"
    ),
    "password_change": "the user's own password form",
    "password_reset": "email form (404 unless email is set up); core/tests/test_accounts.py",
    "password_reset_done": "fixed text",
    "password_reset_confirm": "new-password form of the link's own account",
    "core:user_list": "staff logins of the admin's subtree; core/tests/test_accounts.py",
    "core:user_create": "form listing unit names of the admin's subtree",
    "core:user_detail": "a login of the admin's subtree, else 404; core/tests/test_accounts.py",
    "core:user_edit": "a login of the admin's subtree, else 404; core/tests/test_accounts.py",
    "core:user_reset_password": "POST on a login of the admin's subtree, else 404",
    "core:user_deactivate": "POST on a login of the admin's subtree, else 404",
    "core:user_reactivate": "POST on a login of the admin's subtree, else 404",
    "core:user_unlock": "POST on a login of the admin's subtree, else 404",
    "core:lockout_list": "lockouts of the admin's subtree; core/tests/test_accounts.py",
    "core:retention_policies": "retention periods of kinds of record (no records)",
    "core:retention_policy_edit": "a kind's retention period (no records)",
    "core:purge_certificates": "counts per kind of record, never whose; core/tests/test_retention",
    "core:purge_certificate": "counts per kind, and links to holds of the user's subtree only",
    "core:legal_hold_create": "form listing record types; the record is looked up in scope",
    "inquiries:links": "unit names of the user's subtree with their public links",
    "inquiries_public:ask": (
        "public, no login: a unit's form to ask a question; shows only the asker's own "
        "private link once; inquiries/tests/test_inquiries.py"
    ),
    "inquiries_public:faq": "public, no login: published FAQ entries (no personal data)",
    "inquiries_public:qr": "public, no login: the QR code of a unit's public page",
    "inquiries_public:answer": (
        "public, no login: only the link's own question and answer, found by the token "
        "alone; inquiries/tests/test_inquiries.py"
    ),
    "cases:figures": "counts of cases, measures and items of the user's own scope only",
    "duty:roster_build": "form listing unit and post names of the user's subtree",
    "duty:mine": "the user's own shifts and swaps only; duty/tests/test_swaps.py",
    "duty:leave_new": "the user's own leave form",
    "duty:freeze_new": "form listing unit names of the user's subtree",
    "notify:provider_receipt": (
        "public, no login: an SMS provider's delivery receipts, authenticated by the secret "
        "token in the URL (404 otherwise); they change a message's state, show nothing; "
        "notify/tests/test_channels.py"
    ),
    "observation:self_report": (
        "public, no login: only the form of the link's own person (masked name, day "
        "number), found by the token alone; tested in observation/tests/test_self_report.py"
    ),
}
# URL namespaces handled elsewhere: the API below, the admin (staff only, no residents).
WALKED_ELSEWHERE = {"api", "admin"}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, namespace, entry.callback


def web_routes():
    return [r for r in _walk(get_resolver().url_patterns) if r[2] not in WALKED_ELSEWHERE]


def _app_factories(attribute):
    factories = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("outpost."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.factories")
        except ModuleNotFoundError:
            continue
        factories.update(getattr(module, attribute, {}))
    return factories


def scoped_factories():
    """Each app's `tests/factories.py` says how to make its scoped rows in a grid."""
    return _app_factories("SCOPED_FACTORIES")


def route_factories():
    """Routes whose page needs more than one row to show anything (a pair of duplicates):
    route name, or "GET /api/v1/…", -> make(grid) returning the record the page shows."""
    return _app_factories("ROUTE_FACTORIES")


def spanning_factories():
    """Parents that span levels (a station's run, order or campaign): model ->
    make(unit, grid_a, grid_b) returning the parent made at `unit` with a child row in each
    grid, and the text by which each child shows on the parent's page."""
    return _app_factories("SPANNING_FACTORIES")


def owner_only_factories():
    """Routes of one user's own background job (an export's status and file), not of a
    model: route name -> make(user) returning the job's id. Only that user may open them."""
    return _app_factories("OWNER_ONLY_FACTORIES")


def write_payloads():
    """Scoped API writes: "POST /api/v1/…" -> payload(record), a body that makes the write
    succeed on `record` (the row the walk aims it at, of the route's scoped model)."""
    return _app_factories("WRITE_PAYLOADS")


def test_every_web_route_is_scoped_or_declared_free_of_personal_data():
    unknown = []
    for pattern, name, _ns, callback in web_routes():
        view_class = getattr(callback, "view_class", None)
        is_scoped = view_class is not None and issubclass(view_class, ScopedViewMixin)
        declared = name in PERSONAL_DATA_FREE_URLS or name in owner_only_factories()
        if not is_scoped and not declared:
            unknown.append(f"{pattern} ({name})")
    assert unknown == [], f"routes neither scoped nor declared free of personal data: {unknown}"


def test_every_api_operation_declares_its_scope():
    schema = api.get_openapi_schema()
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if SCOPE_KEY not in operation and FREE_KEY not in operation
    ]
    assert undeclared == []


def test_every_scoped_model_has_a_factory_for_the_walk():
    factories = scoped_factories()
    models = {
        callback.view_class.model
        for _p, _n, _ns, callback in web_routes()
        if issubclass(getattr(callback, "view_class", object), ScopedViewMixin)
    }
    missing = [m._meta.label for m in models if m not in factories]
    assert missing == []


def _scoped_web_cases():
    for _pattern, name, _ns, callback in web_routes():
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, ScopedViewMixin):
            yield pytest.param(name, view_class, id=name)


@pytest.fixture
def records(district):
    """One row of every scoped model in community A's grid and in community B's grid."""
    factories = scoped_factories()
    return {
        model: (make(district.grid_a1), make(district.grid_b1)) for model, make in factories.items()
    }


def _request(client, view_class, url, *, follow=False):
    if "get" in view_class.http_method_names and hasattr(view_class, "get"):
        return client.get(url)
    return client.post(url, {"purpose": "dispatch", "reason": "核查身份信息"}, follow=follow)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "view_class"), list(_scoped_web_cases()))
def test_scoped_web_route_shows_nothing_of_another_community(
    client, officer_a, records, district, name, view_class
):
    own, other = _own_and_other(name, view_class.model, records, district)
    client.force_login(officer_a)
    needs_pk = "pk" in _pattern_for(name)
    if needs_pk:
        assert _request(client, view_class, reverse(name, args=[other.pk])).status_code == 404
        # A POST may lead on to the page it made (an export's status page): followed.
        own_page = _request(client, view_class, reverse(name, args=[own.pk]), follow=True)
        assert own_page.status_code == 200
    else:
        response = _request(client, view_class, reverse(name))
        assert response.status_code == 200
        content = response.content.decode()
        assert any(marker in content for marker in _markers(own))
        assert [marker for marker in _markers(other) if marker in content] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "view_class"), list(_scoped_web_cases()))
def test_scoped_web_route_sends_anonymous_users_to_log_in(client, records, name, view_class):
    own, _other = records[view_class.model]
    args = [own.pk] if "pk" in _pattern_for(name) else []
    response = _request(client, view_class, reverse(name, args=args))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _own_and_other(route, model, records, district):
    make = route_factories().get(route)
    if make is None:
        return records[model]
    return make(district.grid_a1), make(district.grid_b1)


def _owner_only_cases():
    for _pattern, name, _ns, _callback in web_routes():
        if name in owner_only_factories():
            yield pytest.param(name, id=name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(_owner_only_cases()))
def test_owner_only_route_is_a_404_for_everyone_but_the_owner(
    client, officer_a, district, settings, tmp_path, name
):
    settings.MEDIA_ROOT = tmp_path
    job = owner_only_factories()[name](officer_a)
    url = reverse(name, args=[job])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    # A colleague with the same role in the same community is still someone else.
    colleague = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a)
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert client.get(url).status_code == 200


def _markers(record):
    """Strings by which a record shows on a page: its link, name or number."""
    markers = [str(record)]
    if hasattr(record, "get_absolute_url"):
        markers.append(f'href="{record.get_absolute_url()}"')
    for field in ("name", "household_number"):
        if getattr(record, field, ""):
            markers.append(getattr(record, field))
    return markers


def _pattern_for(name):
    return next(p for p, n, _ns, _cb in web_routes() if n == name)


def _api_operations(methods=None):
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if SCOPE_KEY in operation and (methods is None or method in methods):
                yield pytest.param(path, method, operation[SCOPE_KEY], id=f"{method} {path}")


def _api_writes():
    for param in _api_operations():
        if param.values[1] != "get":
            yield param


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "model_label"), list(_api_operations({"get"})))
def test_scoped_api_operation_shows_nothing_of_another_community(
    client, officer_a, records, district, path, method, model_label
):
    route = f"{method.upper()} {path}"
    own, other = _own_and_other(route, apps.get_model(model_label), records, district)
    client.force_login(officer_a)
    # An operation may take the record's id in its JSON body (e.g. POST /visits).
    body_field = _id_in_body(path, method)

    def call(pk=None):
        url = path
        if pk is not None and _id_param(path):
            url = path.replace("{" + _id_param(path) + "}", str(pk))
        if method == "get":
            return client.get(url)
        body = {"reason": "核查身份信息"}
        if body_field and pk is not None:
            body[body_field] = pk
        return client.post(url, json.dumps(body), content_type="application/json")

    if _id_param(path) or body_field:
        assert call(other.pk).status_code == 404
        assert call(own.pk).status_code == 200
    else:
        response = call()
        assert response.status_code == 200
        ids = [item["id"] for item in response.json()["items"]]
        assert own.pk in ids
        assert other.pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "model_label"), list(_api_operations()))
def test_scoped_api_operation_refuses_anonymous_callers(client, records, path, method, model_label):
    own, _other = records[apps.get_model(model_label)]
    url = path.replace("{" + _id_param(path) + "}", str(own.pk)) if _id_param(path) else path
    response = (
        client.get(url)
        if method == "get"
        else client.post(url, {}, content_type="application/json")
    )
    assert response.status_code == 401


def _id_in_body(path, method):
    return api.get_openapi_schema()["paths"][path][method].get(ID_IN_BODY_KEY)


def _id_param(path):
    import re

    match = re.search(r"\{(\w+)\}", path)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------- spanning levels


def _spanning_models():
    return sorted(
        (m for m in apps.get_models() if getattr(m, "scope_spans_levels", False)),
        key=lambda m: m._meta.label,
    )


def test_every_parent_that_spans_levels_has_a_factory_for_the_walk():
    missing = [m._meta.label for m in _spanning_models() if m not in spanning_factories()]
    assert missing == []


def _spanning_cases():
    for model in _spanning_models():
        yield pytest.param(model, id=model._meta.label)


def _list_routes_of(model):
    return [
        name
        for pattern, name, _ns, callback in web_routes()
        if getattr(getattr(callback, "view_class", None), "model", None) is model
        and "<" not in pattern
        and issubclass(callback.view_class, ScopedViewMixin)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(_spanning_cases()))
def test_work_of_the_station_shows_a_community_only_its_own_rows(
    client, officer_a, district, model
):
    """DESIGN rule 7: a run, order or campaign made at the station is visible to a
    community's officer, with the community's rows and nothing of its neighbour's."""
    parent, own, neighbours = spanning_factories()[model](
        district.station, district.grid_a1, district.grid_b1
    )
    client.force_login(officer_a)
    assert model.objects.visible_to(officer_a).filter(pk=parent.pk).exists()
    page = client.get(parent.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert own in content
    assert neighbours not in content
    for route in _list_routes_of(model):
        listing = client.get(reverse(route)).content.decode()
        assert f'href="{parent.get_absolute_url()}"' in listing, route


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(_spanning_cases()))
def test_work_of_a_neighbouring_community_stays_out_of_sight(client, officer_a, district, model):
    parent, _a, _b = spanning_factories()[model](
        district.community_b, district.grid_b1, district.grid_b1
    )
    client.force_login(officer_a)
    assert not model.objects.visible_to(officer_a).filter(pk=parent.pk).exists()
    assert client.get(parent.get_absolute_url()).status_code == 404


def test_every_scoped_api_write_names_a_sample_payload():
    routes = [f"{p.values[1].upper()} {p.values[0]}" for p in _api_writes()]
    missing = [route for route in routes if route not in write_payloads()]
    assert missing == [], f"scoped API writes without a WRITE_PAYLOADS entry: {missing}"


def _stored_rows():
    """How many rows each of the project's tables holds (history and access log included)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("outpost.")
    }


def _stored(record):
    return type(record)._base_manager.filter(pk=record.pk).values().get()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "model_label"), list(_api_writes()))
def test_scoped_api_write_changes_nothing_of_another_community(
    client, officer_a, records, district, path, method, model_label
):
    route = f"{method.upper()} {path}"
    own, other = _own_and_other(route, apps.get_model(model_label), records, district)
    payload = write_payloads()[route]
    body_field = _id_in_body(path, method)
    client.force_login(officer_a)

    def write(record):
        url = path
        if _id_param(path):
            url = path.replace("{" + _id_param(path) + "}", str(record.pk))
        body = payload(record)
        if body_field:
            body.setdefault(body_field, record.pk)
        return client.generic(
            method.upper(), url, json.dumps(body, default=str), content_type="application/json"
        )

    before = (_stored(other), _stored_rows())
    assert write(other).status_code == 404
    assert (_stored(other), _stored_rows()) == before
    # The same body on the officer's own record is a write that works.
    assert write(own).status_code in (200, 201, 202)
