"""`outpost prune`: uploaded import files are deleted once their purpose has ended; the
import's record and counts stay."""

import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from outpost.core.choices import ImportStatus
from outpost.core.tests.factories import ImportJobFactory

pytestmark = pytest.mark.django_db


def _job(district, *, days_ago, status=ImportStatus.DONE):
    job = ImportJobFactory(unit=district.community_a, status=status, file="")
    job.file.save("居民.xlsx", ContentFile(b"PK"), save=False)
    job.error_report.save("errors.xlsx", ContentFile(b"PK"), save=False)
    job.finished_at = timezone.now() - datetime.timedelta(days=days_ago)
    job.save()
    return job


def test_prune_deletes_the_files_of_imports_ended_a_month_ago(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = _job(district, days_ago=31)
    recent = _job(district, days_ago=2)
    old_paths = [old.file.path, old.error_report.path]
    out = io.StringIO()
    call_command("prune", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not old.error_report
    assert not any(os.path.exists(path) for path in old_paths)
    assert old.created_count == 2  # the record and its counts stay
    assert recent.file and recent.error_report
