"""The daily report pages: the form, the background export, its status and the download
(owner only); the export permission, the unit's scope and the access log."""

import datetime
import io

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.briefing.services import snapshots_take
from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tasks import files_prune
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.keypersons.tests.factories import key_person_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


def _export(client, unit, file_format, day=None):
    return client.post(
        reverse("briefing:report"),
        {
            "day": (day or _yesterday()).isoformat(),
            "unit": unit.pk,
            "file_format": file_format,
            "purpose": "other",
            "reason": "每日会商研判上报",
        },
    )


def test_the_form_offers_yesterday_and_the_units_of_the_subtree(client, officer_a, district):
    client.force_login(officer_a)

    response = client.get(reverse("briefing:report"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["day"] == _yesterday()
    assert form.initial["unit"] == district.community_a.pk
    assert list(form.fields["unit"].queryset) == [
        district.community_a,
        district.grid_a1,
        district.grid_a2,
    ]


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_the_leader_exports_yesterday_and_downloads_it(client, district, media, file_format):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    key_person = key_person_in(district.grid_a1, identified_on=_yesterday())
    snapshots_take(day=_yesterday())
    client.force_login(leader)

    response = _export(client, district.station, file_format)

    assert response.status_code == 302
    waiting = client.get(response["Location"])
    assert waiting.context["export"].waiting and b"hx-get" in waiting.content
    run_queued_tasks()
    status = client.get(response["Location"])
    assert status.context["export"].done and status.context["export"].rows == 1
    download = client.get(reverse("core:export_download", args=[status.context["export"].id]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment") and disposition.endswith(f".{file_format}")
    if file_format == "xlsx":
        cells = " ".join(
            str(c.value)
            for ws in load_workbook(io.BytesIO(content)).worksheets
            for row in ws.iter_rows()
            for c in row
        )
    else:
        document = pypdfium2.PdfDocument(content)
        cells = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        document.close()
    assert key_person.resident.masked_id_number in cells
    assert key_person.resident.id_number not in cells
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.actor, log.row_count, log.reason) == (leader, 1, "每日会商研判上报")
    assert district.station.name in log.subject and file_format in log.subject


def test_without_the_export_permission_the_report_is_forbidden(client, district):
    analyst = staff_user(role=Role.ANALYST, unit=district.station, username="analyst")
    client.force_login(analyst)

    assert client.get(reverse("briefing:report")).status_code == 403
    assert _export(client, district.station, "xlsx").status_code == 403


def test_an_officer_of_community_a_cannot_report_on_community_b(client, officer_a, district, media):
    client.force_login(officer_a)

    assert _export(client, district.community_b, "pdf").status_code == 404
    assert not AccessLog.objects.exists()


def test_a_day_still_to_come_is_refused(client, officer_a, district):
    client.force_login(officer_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = _export(client, district.community_a, "xlsx", day=tomorrow)

    assert response.status_code == 422
    assert "day still to come" in response.content.decode()


def test_the_prune_removes_a_report_after_a_week(client, officer_a, district, media):
    client.force_login(officer_a)
    _export(client, district.community_a, "pdf")
    run_queued_tasks()
    assert [path.suffix for path in (media / "exports").iterdir()] == [".pdf"]

    exports, _imports = files_prune(now=timezone.now() + datetime.timedelta(days=8))

    assert exports == 1 and list((media / "exports").iterdir()) == []
