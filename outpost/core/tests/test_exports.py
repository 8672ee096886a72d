"""The one export path: the shared xlsx writer, the export task writing through Django's
storage, the status and download pages, failures that leave no file behind, and apps that
register their exports (core imports none of them).

The path is exercised with an export of this test's own (unit names of the user's
subtree), registered the way an app registers its exports.
"""

import ast
import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from outpost.core.choices import AccessAction
from outpost.core.exports import base
from outpost.core.exports.base import ExportDefinition, Written, register_export
from outpost.core.exports.tasks import export_task, exports_prune
from outpost.core.exports.xlsx import XlsxBook
from outpost.core.models import AccessLog, Unit
from outpost.core.scoping import get_visible
from outpost.core.tests.worker import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CORE = Path(__file__).resolve().parents[1]
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","点此")',
    "+86 138 0000 0000",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _read_back(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def _written(values) -> list:
    book = XlsxBook()
    sheet = book.sheet("T")
    sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return list(_read_back(buffer.getvalue())[1])


# ---------------------------------------------------------------------------- the writer


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_the_writer_stores_formula_like_text_as_text(value):
    (cell,) = _written([value])
    assert cell.data_type == "s"
    assert cell.value == value


def test_the_writer_marks_formula_like_text_so_editing_the_cell_keeps_it_text():
    cells = _written(["=1+1", "plain"])
    assert [cell.quotePrefix for cell in cells] == [True, False]


def test_the_writer_replaces_characters_xml_cannot_hold_and_keeps_the_rest():
    (cell,) = _written(["大连\x07港务\x00局\x1f\t"])
    assert cell.value == "大连\ufffd港务\ufffd局\ufffd\t"


def test_ids_and_phones_stay_text_with_every_digit():
    id_cell, phone_cell, count = _written(["210204199003070012", "13845678901", 3])
    assert (id_cell.data_type, id_cell.value) == ("s", "210204199003070012")
    assert (phone_cell.data_type, phone_cell.value) == ("s", "13845678901")
    assert (count.data_type, count.value) == ("n", 3)


# ---------------------------------------------------------------------------- the path


class UnitNamesExport(ExportDefinition):
    """The names of the units below one of the user's units (a test export)."""

    name = "tests.unit_names"
    label = "Unit names"
    model = Unit
    fields = ("name",)
    fail_after_writing = False

    def records(self, *, user, params):
        return {"unit": get_visible(Unit, user, params["unit_id"])}

    def write(self, *, request, records, target):
        units = list(
            Unit.objects.visible_to(request.acting_user).filter(
                path__startswith=records["unit"].path
            )
        )
        book = XlsxBook()
        sheet = book.sheet("Units")
        for unit in units:
            sheet.append([unit.name])
        book.save(target)
        if self.fail_after_writing:
            raise RuntimeError("the disk is full")
        return Written(rows=len(units), filename="units.xlsx")


@pytest.fixture
def unit_names():
    definition = register_export(UnitNamesExport())
    yield definition
    base._EXPORTS.pop(definition.name)


@pytest.fixture
def memory_storage(settings):
    """Exports in a storage that is no directory of this machine (as S3 would be)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = "/nonexistent/outpost-media"


def _ask(user, unit, *, reason="核对辖区单位"):
    result = export_task.enqueue(
        export_name=UnitNamesExport.name,
        params={"unit_id": unit.pk},
        user_id=user.pk,
        purpose="other",
        reason=reason,
    )
    run_queued_tasks()
    return DBTaskResult.objects.get(id=result.id)


def _stored_exports() -> list[str]:
    try:
        return default_storage.listdir("exports")[1]
    except FileNotFoundError:
        return []


def test_an_export_is_written_to_the_storage_and_downloaded_from_it(
    client, officer_a, district, unit_names, memory_storage
):
    result = _ask(officer_a, district.community_a)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert _stored_exports() == [f"{result.id}.xlsx"]

    client.force_login(officer_a)
    status = client.get(reverse("core:export_status", args=[result.id])).content.decode()
    assert reverse("core:export_download", args=[result.id]) in status
    download = client.get(reverse("core:export_download", args=[result.id]))
    assert download.status_code == 200
    assert 'filename="units.xlsx"' in download["Content-Disposition"]
    sheet = _read_back(b"".join(download.streaming_content))
    assert sheet["A1"].value == "甲社区"
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.reason) == (AccessAction.EXPORT, 3, "核对辖区单位")


def test_the_user_who_asked_is_told_in_the_inbox_in_their_language_when_it_is_ready(
    client, officer_a, district, unit_names, memory_storage
):
    from outpost.notify.models import InboxMessage

    profile = officer_a.staff_profile
    profile.language = "zh-hans"
    profile.save()
    result = _ask(officer_a, district.community_a)  # asked on an English page
    message = InboxMessage.objects.get()
    assert (message.recipient, message.kind) == (officer_a, "export")
    assert message.subject == "导出已完成：Unit names"
    assert message.body.startswith("共 3 行")
    assert message.url == reverse("core:export_status", args=[result.id])
    client.force_login(officer_a)
    assert client.get(message.url).status_code == 200


def test_an_export_that_fails_while_writing_leaves_no_file_and_no_log(
    client, officer_a, district, unit_names, memory_storage
):
    unit_names.fail_after_writing = True

    result = _ask(officer_a, district.community_a)

    assert result.status == TaskResultStatus.FAILED
    assert _stored_exports() == []
    assert not AccessLog.objects.exists()
    client.force_login(officer_a)
    status = client.get(reverse("core:export_status", args=[result.id])).content.decode()
    assert "could not be written" in status and "/download/" not in status
    assert client.get(reverse("core:export_download", args=[result.id])).status_code == 404


def test_a_file_left_by_a_worker_that_died_is_removed_by_the_prune(
    officer_a, district, unit_names, memory_storage
):
    finished = _ask(officer_a, district.community_a)
    # A worker killed while copying its file into the storage: the recovery marks its task
    # failed, and what it wrote is still there.
    died = export_task.enqueue(
        export_name=UnitNamesExport.name, params={"unit_id": 1}, user_id=officer_a.pk
    )
    DBTaskResult.objects.filter(id=died.id).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )
    default_storage.save(f"exports/{died.id}.xlsx", ContentFile(b"PK\x03\x04half"))
    # One still being written is left alone; one "running" for longer than exports are
    # kept died on a machine nobody restarted.
    running, stale = (
        export_task.enqueue(
            export_name=UnitNamesExport.name, params={"unit_id": 1}, user_id=officer_a.pk
        )
        for _ in range(2)
    )
    DBTaskResult.objects.filter(id=running.id).update(status=TaskResultStatus.RUNNING)
    DBTaskResult.objects.filter(id=stale.id).update(
        status=TaskResultStatus.RUNNING, enqueued_at=timezone.now() - datetime.timedelta(days=8)
    )
    for result in (running, stale):
        default_storage.save(f"exports/{result.id}.xlsx", ContentFile(b"PK"))

    exports_prune(older_than=timezone.now() - datetime.timedelta(days=7))

    assert sorted(_stored_exports()) == sorted([f"{finished.id}.xlsx", f"{running.id}.xlsx"])


def test_an_export_without_a_reason_is_refused_before_anything_is_written(
    officer_a, district, unit_names, memory_storage
):
    result = _ask(officer_a, district.community_a, reason=" ")
    assert result.status == TaskResultStatus.FAILED
    assert _stored_exports() == []
    assert not AccessLog.objects.exists()


def test_only_the_user_who_asked_sees_the_export(client, officer_a, district, unit_names):
    result = _ask(officer_a, district.community_a)
    colleague = type(officer_a).objects.create(username="colleague")
    client.force_login(colleague)
    for name in ("core:export_status", "core:export_download"):
        assert client.get(reverse(name, args=[result.id])).status_code == 404


def test_the_old_addresses_of_export_pages_lead_to_the_shared_ones(client, officer_a):
    client.force_login(officer_a)
    export_id = "0b7c6c3e-1d6b-4a39-9d5e-0c5f3a9f6b21"
    for old, new in (
        ("registry:export_status", "core:export_status"),
        ("keypersons:ledger_download", "core:export_download"),
        ("dispatch:feedback_status", "core:export_status"),
        ("briefing:report_download", "core:export_download"),
    ):
        response = client.get(reverse(old, args=[export_id]))
        assert response.status_code == 301
        assert response["Location"] == reverse(new, args=[export_id])


# ---------------------------------------------------------------------------- registration


def test_every_app_with_exports_registers_them():
    assert set(base.registered_exports()) >= {
        "registry.residents",
        "registry.households",
        "registry.campaign_progress",
        "keypersons.contact_ledger",
        "dispatch.feedback",
        "briefing.daily_report",
        "observation.site_daily_report",
    }


@pytest.mark.parametrize(
    "module", ["tasks.py", *(f"exports/{p.name}" for p in (CORE / "exports").glob("*.py"))]
)
def test_the_export_path_and_the_prune_import_no_app(module):
    tree = ast.parse((CORE / module).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    apps = [name for name in imported if name and re.match(r"outpost\.(?!core\b)", name)]
    assert apps == []
