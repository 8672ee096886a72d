"""`outpost report daily`: both formats from the suffix, clear refusals of bad input."""

import datetime

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import AccessAction
from outpost.core.models import AccessLog

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def superuser(district):
    return User.objects.create_superuser("root", password="not-used-here")


def _yesterday() -> str:
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def test_writes_the_workbook_of_the_station_by_default(superuser, district, tmp_path, capsys):
    out = tmp_path / "report.xlsx"

    call_command("report", "daily", "--date", _yesterday(), "--out", str(out))

    sheet = load_workbook(out).worksheets[0]
    assert sheet["A1"].value == f"哈尔滨路派出所 每日信息通报 {_yesterday()}"
    printed = capsys.readouterr().out
    assert str(out) in printed and " s." in printed
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.actor == superuser and "哈尔滨路派出所" in log.subject


def test_writes_a_pdf_of_the_unit_named(superuser, district, tmp_path):
    out = tmp_path / "community.PDF"

    call_command("report", "daily", "--date", _yesterday(), "--unit", "CA", "--out", str(out))

    document = pypdfium2.PdfDocument(out.read_bytes())
    assert "甲社区 每日信息通报" in document[0].get_textpage().get_text_range()
    document.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "2020-02-30", "--out", "r.xlsx"], "is not a date"),
        (["--date", "yesterday", "--out", "r.xlsx"], "YYYY-MM-DD"),
        (["--date", "2020-02-01", "--out", "r.docx"], "end the file name in .xlsx or .pdf"),
        (["--date", "2020-02-01", "--unit", "NOPE", "--out", "r.pdf"], "No unit with code"),
        (["--date", "2999-01-01", "--out", "r.pdf"], "day still to come"),
    ],
)
def test_refuses_bad_input_with_a_message(superuser, district, tmp_path, arguments, message):
    arguments = [str(tmp_path / a) if a.startswith("r.") else a for a in arguments]

    with pytest.raises(CommandError, match=message):
        call_command("report", "daily", *arguments)

    assert list(tmp_path.iterdir()) == []
