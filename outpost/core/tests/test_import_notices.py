"""The user who uploaded a file hears in their inbox, in their own language, when its import
finished or failed; the link opens the import's page."""

import pytest
from django.urls import reverse

from outpost.core.choices import ImportStatus
from outpost.core.models import ImportJob
from outpost.core.tests.imports_support import HEADINGS, person, write_xlsx
from outpost.notify.models import InboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]


def _upload(client, district, path):
    with path.open("rb") as handle:
        client.post(
            reverse("core:import_list"),
            {"file": handle, "unit": district.community_a.pk, "kind": "registry.residents"},
        )
    return ImportJob.objects.get()


def test_an_import_that_finished_is_told_to_its_uploader(client, officer_a, district, tmp_path):
    client.force_login(officer_a)
    job = _upload(client, district, write_xlsx(tmp_path / "居民.xlsx", [HEADINGS, person(1)]))
    client.post(
        reverse("core:import_mapping", args=[job.pk]),
        {f"col_{i}": f for i, f in job.mapping.items()},
    )
    client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE

    message = InboxMessage.objects.get()
    assert (message.recipient, message.kind) == (officer_a, "import")
    assert message.subject == "导入完成：居民.xlsx"  # the uploader's language, not the task's
    assert message.body == "新增 1 条，更新 0 条，未变 0 条。"
    assert client.get(message.url).status_code == 200


def test_an_import_that_failed_is_told_to_its_uploader(client, officer_a, district, tmp_path):
    client.force_login(officer_a)
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(bytes(range(256)) * 400)
    job = _upload(client, district, path)
    assert job.status == ImportStatus.FAILED

    message = InboxMessage.objects.get()
    assert message.subject == "导入失败：garbage.xlsx"
    assert message.url == reverse("core:import_detail", args=[job.pk])
    assert client.get(message.url).status_code == 200
