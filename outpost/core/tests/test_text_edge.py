"""Free text is checked where it comes in (DESIGN rule 4): forms, API and imports refuse
control characters (a note may hold line breaks and tabs) and bidirectional overrides, and
every text input has a maximum length. One BEL in a workplace used to break every export."""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from outpost.api import api
from outpost.core.forms import TextGuardMixin
from outpost.core.validators import validate_note, validate_text

CONTROLS = [
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
FORBIDDEN = set(CONTROLS) | set(BIDI)
clean_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=[*FORBIDDEN, "\t", "\n", "\r"])
)


@given(clean_text)
def test_text_without_controls_is_accepted_unchanged(text):
    assert validate_text(text) == text
    assert validate_note(text) == text


@given(clean_text, st.sampled_from(CONTROLS + BIDI), clean_text)
def test_a_control_or_direction_character_anywhere_is_refused(before, bad, after):
    for check in (validate_text, validate_note):
        with pytest.raises(ValidationError) as error:
            check(before + bad + after)
        assert error.value.code in ("text_control", "text_bidi")
        assert f"U+{ord(bad):04X}" in error.value.messages[0]


@given(st.lists(clean_text, min_size=2), st.sampled_from(["\n", "\t", "\r\n"]))
def test_a_note_may_hold_line_breaks_and_tabs_a_line_may_not(parts, separator):
    text = separator.join(parts)
    assert validate_note(text) == text
    with pytest.raises(ValidationError):
        validate_text(text)


def _form_classes():
    for config in apps.get_app_configs():
        if not config.name.startswith("outpost."):
            continue
        for module_name in ("forms", "views", "imports.forms", "accounts.forms"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__.startswith("outpost."):
                    yield value
    from outpost.observation.views import sites  # a package of views

    yield from (
        v for _n, v in inspect.getmembers(sites, inspect.isclass) if issubclass(v, forms.BaseForm)
    )


def test_every_form_of_outpost_guards_its_text_fields():
    unguarded = sorted(
        {
            f"{cls.__module__}.{cls.__name__}"
            for cls in _form_classes()
            if not issubclass(cls, TextGuardMixin)
        }
    )
    assert unguarded == []


def _string_inputs():
    """(operation, field) of every text a client sends: body properties and query parameters."""
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def properties(node, seen=()):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name in seen:
                return
            yield from properties(components[name], (*seen, name))
            return
        for option in node.get("anyOf", []) + node.get("allOf", []):
            yield from properties(option, seen)
        if node.get("type") == "array":
            yield from properties(node.get("items", {}), seen)
        for prop_name, prop in node.get("properties", {}).items():
            yield prop_name, prop
            yield from properties(prop, seen)

    def is_free_string(node):
        options = node.get("anyOf", [node])
        return any(
            o.get("type") == "string" and "enum" not in o and "format" not in o for o in options
        ) and not any(o.get("maxLength") for o in options)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and is_free_string(parameter.get("schema", {})):
                    yield f"{method.upper()} {path} ?{parameter['name']}"
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                for name, prop in properties(media.get("schema", {})):
                    if is_free_string(prop):
                        yield f"{method.upper()} {path} {name}"


def test_every_text_a_client_sends_to_the_api_has_a_maximum_length():
    assert sorted(set(_string_inputs())) == []


# ---------------------------------------------------------------------------- at each edge


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_bell_in_a_workplace_is_refused_on_the_form_and_nothing_changes(
    client, grid_worker_a1, district
):
    from django.urls import reverse

    from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

    resident = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), workplace="大连港"
    )
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {"phone": "", "residence_type": "permanent", "workplace": "大连港\x07集装箱码头"},
    )
    assert response.status_code == 422
    assert "control character (U+0007)" in response.content.decode()
    resident.refresh_from_db()
    assert resident.workplace == "大连港"


def test_a_visit_note_of_two_megabytes_is_refused_by_the_form():
    from outpost.registry.forms import VisitForm

    form = VisitForm({"campaign": 1, "outcome": "completed", "note": "很长" * 1_000_000})
    assert not form.is_valid()
    assert list(form.errors) == ["note"]


def test_a_note_keeps_its_line_breaks_on_the_form():
    from outpost.registry.forms import VisitForm

    form = VisitForm({"campaign": 1, "outcome": "completed", "note": "门锁着\r\n\t邻居说出差了"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_a_visit_note_of_two_megabytes_is_refused_by_the_api(client, grid_worker_a1, district):
    import json

    from outpost.registry.models import Visit
    from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory

    household = HouseholdFactory(unit=district.grid_a1)
    CampaignFactory(unit=district.station, scope_units=[district.office])
    client.force_login(grid_worker_a1)
    body = {"household_id": household.pk, "outcome": "nobody_home", "note": "x" * 2_000_000}
    response = client.post(
        "/api/v1/registry/visits", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "note" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_direction_override_in_a_name_is_refused_by_the_api(client, officer_a, district):
    import json

    from outpost.keypersons.models import KeyPerson

    client.force_login(officer_a)
    body = {"name": "张\u202e三", "unit_id": district.grid_a1.pk}
    response = client.post(
        "/api/v1/keypersons/key-persons", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "U+202E" in response.content.decode()
    assert not KeyPerson.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("import_settings")
def test_an_imported_cell_with_a_control_character_is_an_error_of_its_row(
    officer_a, district, tmp_path
):
    from outpost.core.tests.imports_support import HEADINGS, person, run_import, write_csv

    bad = person(2)
    bad[3] = "黄河路101号\x071单元101室"
    job = run_import(
        user=officer_a,
        unit=district.community_a,
        path=write_csv(tmp_path / "list.csv", [HEADINGS, person(1), bad]),
    )
    assert [(e["row"], e["column"]) for e in job.first_errors] == [(3, "住址 (D)")]
    assert "U+0007" in job.first_errors[0]["message"]
    assert "\x07" not in job.first_errors[0]["value"]


@pytest.mark.django_db
def test_a_service_refuses_a_note_too_long_for_its_record_whoever_calls_it(
    grid_worker_a1, district
):
    from outpost.registry.models import Visit
    from outpost.registry.services import visit_record
    from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory

    campaign = CampaignFactory(unit=district.station, scope_units=[district.office])
    with pytest.raises(ValidationError) as error:
        visit_record(
            acting_user=grid_worker_a1,
            campaign=campaign,
            household=HouseholdFactory(unit=district.grid_a1),
            outcome="nobody_home",
            note="门锁着\x07" + "x" * 2000,
        )
    assert "U+0007" in " ".join(error.value.messages)
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_select_of_records_offers_choose_not_dashes_unless_it_names_its_own():
    from django import forms as django_forms

    from outpost.core.forms import CHOOSE_LABEL, Form
    from outpost.core.models import Unit

    class PickForm(Form):
        unit = django_forms.ModelChoiceField(queryset=Unit.objects.none())
        other = django_forms.ModelChoiceField(
            queryset=Unit.objects.none(), required=False, empty_label="全部"
        )

    form = PickForm()
    assert next(iter(form.fields["unit"].choices)) == ("", CHOOSE_LABEL)
    assert next(iter(form.fields["other"].choices)) == ("", "全部")
