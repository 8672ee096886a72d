"""Retention (保存期限): policies with legal minimums, the purge in batches, legal holds, and
the chain of purge certificates that shows an edited or missing certificate."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from outpost.core.choices import AccessAction, ImportStatus, RetentionAction, Role
from outpost.core.models import AccessLog, LegalHold, PurgeCertificate, RetentionPolicy
from outpost.core.retention import get_kind
from outpost.core.retention import services as retention_services
from outpost.core.retention.chain import chain_verify
from outpost.core.retention.services import (
    legal_hold_open,
    retention_policy_set,
    retention_purge,
)
from outpost.core.tests.factories import ImportJobFactory, staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

DAY = datetime.timedelta(days=1)


def _log_entry(actor, *, days_ago: int) -> AccessLog:
    return AccessLog.objects.create(
        actor=actor,
        at=timezone.now() - days_ago * DAY,
        action=AccessAction.REVEAL,
        model_label="registry.Resident",
        object_id="1",
        subject="张三",
        fields=["id_number"],
        reason="核查身份",
    )


def _run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("retention", *args, stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------------------- the access log


def test_access_log_older_than_three_years_is_purged(admin_user):
    old = _log_entry(admin_user, days_ago=1096)
    recent = _log_entry(admin_user, days_ago=1094)

    summary = retention_purge()

    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    assert summary.counts["core.accesslog"]["count"] == 1
    assert summary.counts["core.accesslog"]["action"] == "delete"


def test_dry_run_counts_and_changes_nothing(admin_user):
    _log_entry(admin_user, days_ago=2000)

    printed = _run("purge", "--dry-run")

    assert "Access log entries: 1 to delete" in printed
    assert AccessLog.objects.count() == 1
    assert not PurgeCertificate.objects.exists()


# ---------------------------------------------------------------------------- policies


def test_policy_below_the_legal_minimum_is_refused(admin_user):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        retention_policy_set(
            acting_user=admin_user, kind_key="core.accesslog", days=365, action="delete"
        )
    assert "days" in refused.value.message_dict
    assert "1095" in refused.value.message_dict["days"][0]
    assert not RetentionPolicy.objects.exists()


def test_policy_minimum_comes_from_settings(admin_user, settings):
    settings.OUTPOST_RETENTION_MINIMUM_DAYS = {"notify.inbox": 30}
    with pytest.raises(ValidationError):
        retention_policy_set(
            acting_user=admin_user, kind_key="notify.inbox", days=29, action="delete"
        )
    policy = retention_policy_set(
        acting_user=admin_user, kind_key="notify.inbox", days=30, action="delete"
    )
    assert policy.version == 1


def test_policy_action_the_kind_does_not_allow_is_refused(admin_user):
    with pytest.raises(ValidationError) as refused:
        retention_policy_set(
            acting_user=admin_user, kind_key="screening.feed", days=90, action="anonymise"
        )
    assert "action" in refused.value.message_dict


def test_each_change_bumps_the_version(admin_user):
    retention_policy_set(acting_user=admin_user, kind_key="notify.inbox", days=90, action="delete")
    retention_policy_set(acting_user=admin_user, kind_key="notify.inbox", days=90, action="delete")
    policy = retention_policy_set(
        acting_user=admin_user, kind_key="notify.inbox", days=60, action="delete"
    )
    assert policy.version == 2
    assert policy.history.count() == 2


def test_policy_page_refuses_a_short_period_next_to_the_field(client, admin_user):
    client.force_login(admin_user)
    url = reverse("core:retention_policy_edit", args=["core.accesslog"])
    with translation.override("en"):
        response = client.post(url, {"days": "30", "action": "delete"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.context["form"].errors["days"]
    assert not RetentionPolicy.objects.exists()


def test_policy_page_saves_a_valid_period(client, admin_user):
    client.force_login(admin_user)
    url = reverse("core:retention_policy_edit", args=["notify.inbox"])
    response = client.post(url, {"days": "45", "action": "delete"})
    assert response.status_code == 302
    assert RetentionPolicy.objects.get(kind="notify.inbox").days == 45


def test_retention_pages_are_for_administrators(client, admin_user, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("core:retention_policies")).status_code == 403
    assert client.get(reverse("core:purge_certificates")).status_code == 403
    client.force_login(admin_user)
    retention_purge()
    for url in (
        reverse("core:retention_policies"),
        reverse("core:purge_certificates"),
        reverse("core:purge_certificate", args=[PurgeCertificate.objects.get().pk]),
        reverse("core:legal_holds"),
        reverse("core:legal_hold_create"),
    ):
        assert client.get(url).status_code == 200, url


# ---------------------------------------------------------------------------- imports


def test_import_files_are_deleted_and_the_job_kept(admin_user, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ImportJobFactory(
        unit=district.community_a,
        status=ImportStatus.DONE,
        finished_at=timezone.now() - 31 * DAY,
        first_errors=[{"row": 3, "message": "身份证号 210204…"}],
    )
    job.file.save("residents.xlsx", ContentFile(b"data"), save=True)
    name = job.file.name

    retention_purge()

    job.refresh_from_db()
    assert not default_storage.exists(name)
    assert (job.file.name, job.first_errors, job.created_count) == ("", [], 2)


# ---------------------------------------------------------------------------- the chain


def _three_certificates(admin_user):
    for days_ago in (1200, 1300, 1400):
        _log_entry(admin_user, days_ago=days_ago)
        retention_purge()
    return list(PurgeCertificate.objects.order_by("sequence"))


def test_certificate_chain_verifies(admin_user):
    certificates = _three_certificates(admin_user)

    check = chain_verify()

    assert check.ok and check.checked == 3
    assert [c.previous_hash for c in certificates[1:]] == [c.record_hash for c in certificates[:2]]
    assert "Chain verified: 3 certificates." in _run("verify")


def test_an_edited_certificate_breaks_the_chain(admin_user, client):
    _three_certificates(admin_user)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_purgecertificate SET counts = %s WHERE sequence = 2",
            ['{"core.accesslog": {"action": "delete", "count": 0, "from": "", "until": ""}}'],
        )

    check = chain_verify()

    assert check.broken_at == 2
    with pytest.raises(CommandError, match="Chain broken at #2"), translation.override("en"):
        call_command("retention", "verify")
    client.force_login(admin_user)
    page = client.get(reverse("core:purge_certificates")).content.decode()
    assert "证明链在 #2 处断开" in page and 'role="alert" data-testid="chain-state"' in page


def test_a_missing_certificate_breaks_the_chain(admin_user):
    _three_certificates(admin_user)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_purgecertificate WHERE sequence = 2")

    check = chain_verify()

    assert (check.broken_at, check.ok) == (2, False)
    assert "missing" in check.problem or "缺" in check.problem


def test_a_rewritten_link_breaks_the_chain(admin_user):
    _three_certificates(admin_user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_purgecertificate SET previous_hash = '' WHERE sequence = 3")

    assert chain_verify().broken_at == 3


# ---------------------------------------------------------------------------- batches


def test_a_run_that_died_is_finished_by_the_next(admin_user, monkeypatch):
    for days_ago in (1100, 1101, 1102):
        _log_entry(admin_user, days_ago=days_ago)
    real_delete = retention_services._delete
    calls = []

    def dies_at_the_second_batch(kind, batch):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_delete(kind, batch)

    monkeypatch.setattr(retention_services, "_delete", dies_at_the_second_batch)
    with pytest.raises(RuntimeError):
        retention_purge(batch_size=1)

    # The first batch is done and counted, the second left nothing half-done.
    assert AccessLog.objects.count() == 2
    unfinished = PurgeCertificate.objects.get()
    assert unfinished.counts["core.accesslog"]["count"] == 1 and not unfinished.record_hash
    assert chain_verify().in_progress == 1

    monkeypatch.setattr(retention_services, "_delete", real_delete)
    summary = retention_purge(batch_size=1)

    assert AccessLog.objects.count() == 0
    assert summary.certificate.pk == unfinished.pk
    assert summary.counts["core.accesslog"]["count"] == 3
    assert chain_verify().ok


# ---------------------------------------------------------------------------- legal holds


def test_hold_on_a_record_outside_the_jurisdiction_is_refused(district, officer_a):
    other = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    with pytest.raises(ValidationError) as refused:
        legal_hold_open(
            acting_user=officer_a,
            model_label="registry.Resident",
            object_id=other.pk,
            case_reference="A-1",
            reason="涉案",
        )
    assert "object_id" in refused.value.message_dict
    assert not LegalHold.objects.exists()


def test_hold_page_places_and_releases_a_hold(client, district, officer_a):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(officer_a)
    response = client.post(
        reverse("core:legal_hold_create"),
        {
            "model_label": "registry.Resident",
            "object_id": resident.pk,
            "case_reference": "2027-刑-001",
            "reason": "在办案件涉及",
        },
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    page = client.get(reverse("core:legal_holds")).content.decode()
    assert "2027-刑-001" in page and resident.get_absolute_url() in page

    assert client.post(reverse("core:legal_hold_release", args=[hold.pk])).status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.released_by == officer_a


def test_hold_form_names_the_missing_record(client, district, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("core:legal_hold_create"),
        {
            "model_label": "registry.Resident",
            "object_id": 999999,
            "case_reference": "X",
            "reason": "涉案",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["object_id"]


def test_grid_worker_may_not_hold(district, grid_worker_a1):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    with pytest.raises(Exception) as refused:
        legal_hold_open(
            acting_user=grid_worker_a1,
            model_label="registry.Resident",
            object_id=resident.pk,
            case_reference="X",
            reason="涉案",
        )
    assert type(refused.value).__name__ == "PermissionDenied"


def test_every_kind_has_an_allowed_default(db):
    for key in ("core.accesslog", "observation.episode", "screening.feed", "dispatch.item"):
        kind = get_kind(key)
        assert kind.default_action in kind.actions
        assert kind.default_days >= 30
    assert get_kind("core.accesslog").default_action == RetentionAction.DELETE


def test_administrator_role_has_the_retention_permissions(district):
    admin = staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="admin2")
    assert admin.has_perm("core.change_retentionpolicy")
    assert admin.has_perm("core.view_purgecertificate")


def test_the_nightly_task_purges_and_names_its_run(admin_user, settings):
    from outpost.core.tasks import retention_purge_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _log_entry(admin_user, days_ago=1500)

    result = retention_purge_task.enqueue(now=timezone.now().isoformat())

    certificate = PurgeCertificate.objects.get()
    assert result.return_value["certificate"] == certificate.sequence
    assert certificate.task_run == str(result.id)
    assert result.return_value["purged"]["core.accesslog"] == 1
