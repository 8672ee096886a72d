"""The processing register (个人信息处理活动记录): every model with personal fields declares
them; a model that adds one undeclared fails the check, naming the model and the field; the
page (for the station leader and administrators) and its xlsx list the same rows, with the
roles that may read, reveal and export each field read from the roles' permissions."""

import io

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse
from openpyxl import load_workbook

from outpost.core import roles
from outpost.core.choices import Role
from outpost.core.privacy import declaration_of, register_problems, register_rows
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.models import Resident

pytestmark = pytest.mark.django_db


def _row(model_label, field_name):
    return next(
        row
        for row in register_rows()
        if row.model_label == model_label and row.field_name == field_name
    )


# ---------------------------------------------------------------------------- the check


def test_every_model_with_personal_fields_is_declared_and_every_field_classified():
    assert register_problems() == []


@isolate_apps("outpost.core")
def test_a_model_with_an_undeclared_personal_field_is_reported_by_model_and_field():
    class Visitor(models.Model):  # noqa: DJ008
        unit_code = models.CharField(max_length=10)
        mobile_phone = models.CharField(max_length=20)

        class Meta:
            app_label = "core"

    assert register_problems([Visitor]) == [
        "core.Visitor: not declared, but mobile_phone look personal"
    ]


@isolate_apps("outpost.core")
def test_an_ip_address_field_is_personal_by_its_type():
    class Probe(models.Model):  # noqa: DJ008
        seen_from = models.GenericIPAddressField()

        class Meta:
            app_label = "core"

    assert register_problems([Probe]) == ["core.Probe: not declared, but seen_from look personal"]


@isolate_apps("outpost.registry")
def test_a_field_added_to_a_declared_model_without_a_declaration_is_reported():
    # The registry's Landlord as declared, plus a field nobody classified.
    class Landlord(models.Model):  # noqa: DJ008
        unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT)
        name = models.CharField(max_length=100)
        id_number = models.CharField(max_length=18)
        phone = models.CharField(max_length=20)
        is_large = models.BooleanField(default=False)
        wechat_id = models.CharField(max_length=40)

        class Meta:
            app_label = "registry"

    assert register_problems([Landlord]) == [
        "registry.Landlord.wechat_id: neither personal nor other in its declaration"
    ]


def test_history_models_are_declared_by_their_base_model():
    assert declaration_of(Resident.history.model) is declaration_of(Resident)


# ---------------------------------------------------------------------------- the rows


def test_a_row_says_category_sensitivity_purpose_basis_and_retention():
    row = _row("registry.Resident", "id_number")

    assert row.sensitive and row.masked
    assert row.category == "身份证件号码"
    assert "人口底数" in row.purpose
    assert any("13条第1款第（四）项" in basis for basis in row.legal_basis)
    assert row.retention == "本人在辖区居住期间保存；本人请求时更正或匿名化"
    assert not _row("registry.Resident", "phone").sensitive


def test_the_roles_come_from_the_role_map(monkeypatch):
    row = _row("registry.Resident", "id_number")
    assert "研判分析员（只读）" in row.readers
    assert "社区民警" in row.revealers
    assert "研判分析员（只读）" not in row.revealers  # reads, may not reveal
    assert "社区民警" in row.unmasked_exporters
    assert "网格员" in row.exporters and "网格员" not in row.unmasked_exporters

    analyst = {**roles.ROLE_MODEL_ACTIONS[Role.ANALYST]}
    del analyst["registry"]
    monkeypatch.setitem(roles.ROLE_MODEL_ACTIONS, Role.ANALYST, analyst)
    roles.roles_sync()  # what every migration does: the groups hold the map

    assert "研判分析员（只读）" not in _row("registry.Resident", "id_number").readers


def test_encryption_at_rest_is_read_from_the_field(monkeypatch):
    assert _row("registry.Resident", "id_number").encrypted
    assert not _row("registry.Resident", "name").encrypted

    monkeypatch.setattr(Resident._meta.get_field("name"), "encrypted", True, raising=False)

    assert _row("registry.Resident", "name").encrypted


# ---------------------------------------------------------------------------- the page


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def test_the_leader_reads_the_register_in_the_menu(client, leader):
    client.force_login(leader)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("core:processing_register"))

    assert reverse("core:processing_register") in home
    assert page.status_code == 200
    content = page.content.decode()
    assert "个人信息处理活动记录" in content
    assert "身份证件号码" in content and "敏感" in content


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.POLICE_OFFICER])
def test_field_roles_may_not_read_the_register(client, district, role):
    client.force_login(staff_user(role=role, unit=district.community_a, username="field"))

    assert client.get(reverse("core:processing_register")).status_code == 403
    assert client.post(reverse("core:processing_register_export")).status_code == 403


def test_the_page_fits_a_phone(client, admin_user):
    client.force_login(admin_user)

    content = client.get(reverse("core:processing_register")).content.decode()

    assert 'class="table responsive processing-fields"' in content
    assert 'data-label="敏感个人信息（个保法第28条）"' in content


def test_the_xlsx_lists_the_rows_of_the_page(client, admin_user, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(admin_user)

    response = client.post(reverse("core:processing_register_export"))
    run_queued_tasks()
    export_id = response["Location"].rstrip("/").split("/")[-1]
    download = client.get(reverse("core:export_download", args=[export_id]))

    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    rows = register_rows()
    listed = [row[1:4] for row in values if isinstance(row[0], int)]
    assert listed == [[row.app, row.model_name, row.field_label] for row in rows]
    id_row = next(row for row in values if row[2] == "居民" and row[3] == "身份证号")
    assert id_row[5] == "是"


def test_every_declared_retention_is_a_purged_kind_or_a_standing_rule():
    # DESIGN rule 8: retention reads the declarations. A declaration naming a kind no app
    # registers would promise a purge that never runs.
    from outpost.core.privacy import STANDING_RETENTION, declarations
    from outpost.core.retention import retention_kinds

    kinds = {kind.key for kind in retention_kinds()}
    unknown = {
        declaration.retention
        for declaration in declarations().values()
        if declaration.personal_fields()
        and declaration.retention not in kinds
        and declaration.retention not in STANDING_RETENTION
    }
    assert not unknown


@pytest.mark.django_db
def test_the_register_states_the_policy_in_force_of_a_purged_kind(admin_user):
    from outpost.core.models import RetentionPolicy

    RetentionPolicy.objects.create(kind="observation.episode", days=200, action="anonymise")
    rows = [row for row in register_rows() if row.model_label == "observation.Episode"]
    assert rows and all("200" in row.retention for row in rows)


def test_every_declared_identity_number_phone_and_health_field_is_encrypted_at_rest():
    # DESIGN rule 8: encryption at rest reads the declarations. A new ID, phone or health
    # field declared in the register but stored in clear fails here.
    from django.apps import apps

    from outpost.core.privacy import DataCategory, declarations

    must = {DataCategory.IDENTITY_NUMBER, DataCategory.PHONE, DataCategory.HEALTH}
    # Kept in clear on purpose: what the masked display shows anyway, and the states the
    # figures count in SQL (a figure is its rows: counted where the rows are).
    in_clear = {
        "registry.Resident.document_type": "the kind of document, not its number",
        "core.SubjectRequest.subject_id_masked": "stored masked only",
        "registry.Resident.id_last4": "the four digits every masked ID shows",
        "registry.Resident.phone_last4": "the four digits every masked phone shows",
        "registry.VisitMember.health_status": "counted by the visit figures",
        "observation.Episode.end_reason": "counted by the released-today figure",
        "observation.Alert.kind": "counted by the alert figures",
        "observation.Alert.outcome": "counted by the transfers figure",
        "observation.Alert.transfer_place": "a clinic's name, shown on the alert list",
        "observation.Alert.transferred_at": "counted by the transfers figure",
    }
    clear = [
        f"{label}.{name}"
        for label, declaration in declarations().items()
        for name, personal_field in declaration.personal_fields().items()
        if personal_field.category in must
        and f"{label}.{name}" not in in_clear
        and not getattr(apps.get_model(label)._meta.get_field(name), "encrypted", False)
    ]
    assert not clear
