"""Jurisdiction tree, partner organisations, staff, access log and API tokens (组织与权限)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.choices import (
    AccessAction,
    AccessPurpose,
    AccountAction,
    ImportStatus,
    OrganisationKind,
    RetentionAction,
    Role,
    UnitKind,
)
from outpost.core.crypto.fields import EncryptedCharField
from outpost.core.scoping import in_subtree, user_scope_unit, user_sees_everything

PATH_SEPARATOR = "/"


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> UnitQuerySet:
        """Units of the user's subtree (units themselves are not personal data)."""
        if user_sees_everything(user):
            return self.all()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        return self.subtree(unit)

    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(in_subtree(unit, via=""))


class Unit(models.Model):
    """A node of the jurisdiction tree (辖区单位): branch, station, office, community or grid.

    `path` is the materialized path of unit codes (``2102/210204001/…/``), so a unit's
    subtree is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # The unit's area on the map (辖区边界): a GeoJSON Polygon or MultiPolygon geometry in
    # WGS 84 longitude/latitude, checked by `core.boundaries` when imported. Kept as JSON:
    # the map is drawn in Python, no spatial database is needed.
    boundary = models.JSONField(_("boundary"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["boundary"])

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def build_path(parent: Unit | None, code: str) -> str:
        return (parent.path if parent else "") + code + PATH_SEPARATOR

    def ancestors(self) -> models.QuerySet[Unit]:
        codes = [c for c in self.path.split(PATH_SEPARATOR) if c]
        return Unit.objects.filter(code__in=codes[:-1]).order_by("depth")

    def ancestor_of_kind(self, kind: str) -> Unit | None:
        if self.kind == kind:
            return self
        return self.ancestors().filter(kind=kind).first()

    def contains(self, other: Unit) -> bool:
        return other.path.startswith(self.path)


class Organisation(models.Model):
    """A partner organisation (合作单位): health commission, subdistrict, health centre, enterprise."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("The unit whose area the organisation lies in or serves."),
    )
    contact_phone = EncryptedCharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """The working profile of one login (工作人员): unit, organisation and display name.

    Roles are the user's groups (see `outpost.core.roles`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    display_name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    # The language chosen with the switch, activated again at each login (blank: Chinese).
    language = models.CharField(_("language"), max_length=10, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.display_name

    @property
    def roles(self) -> list[Role]:
        names = {g.name for g in self.user.groups.all()}
        return [role for role in Role if role.value in names]


class AccessLogQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> AccessLogQuerySet:
        """Entries by staff of the user's subtree, for those who may audit access."""
        if user_sees_everything(user):
            return self.all()
        if not user.has_perm(f"core.{action}_accesslog"):
            return self.none()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        return self.filter(in_subtree(unit, via="actor__staff_profile__unit"))


class AccessLog(models.Model):
    """One reveal or export of personal data (个人信息访问日志): who, when, whose, which fields, why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="access_logs",
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    model_label = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        help_text=_("Whose data: a name, or a description of an export."),
    )
    fields = models.JSONField(_("fields"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=AccessPurpose.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        default_permissions = ("view",)
        permissions = [
            ("reveal_personal_data", _("Can reveal masked ID numbers and phones")),
            ("export_personal_data", _("Can export personal data")),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"


class ApiToken(models.Model):
    """A personal API token (接口令牌). Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "op_" + secrets.token_urlsafe(32)

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> ImportJobQuerySet:
        """Imports into the user's subtree (their rows and error reports are personal data)."""
        if user_sees_everything(user):
            return self.all()
        unit = user_scope_unit(user)
        if unit is None or not user.is_authenticated:
            return self.none()
        from outpost.core.roles import user_roles

        if Role.ENTERPRISE_LIAISON in user_roles(user):
            # A liaison speaks for one enterprise, not for its unit: its own imports only.
            return self.filter(created_by=user)
        return self.filter(in_subtree(unit))


class ImportJob(models.Model):
    """One spreadsheet import (数据导入): the file, its column mapping, progress and outcome.

    The pipeline in `outpost.core.imports` runs it in steps: read → find header → map
    columns → validate every row (dry run) → commit in one transaction.
    """

    kind = models.CharField(_("import kind"), max_length=50)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("into unit"),
        on_delete=models.PROTECT,
        related_name="imports",
        help_text=_("Rows may only land in this unit or under it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    # The workbook's sheets, as the worker found them (the pages never open the file).
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    first_errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_report = models.FileField(_("error report"), upload_to="imports/errors/", blank=True)
    failure = models.TextField(_("failure"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class ImportColumnMemory(models.Model):
    """A column heading a user mapped once, remembered for the next file of the same kind."""

    kind = models.CharField(_("import kind"), max_length=50)
    heading = models.CharField(_("column heading"), max_length=200)
    field = models.CharField(_("field"), max_length=50)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "heading"], name="core_importcolumn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.heading} → {self.field}"


class ScheduledJobRun(models.Model):
    """One firing of a periodic job (定时任务) at one scheduled time. The unique pair lets
    several schedulers (one per machine) run and the job still be enqueued once."""

    job = models.CharField(_("job"), max_length=100)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    enqueued_at = models.DateTimeField(_("enqueued"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        ordering = ["-scheduled_for"]
        constraints = [
            models.UniqueConstraint(fields=["job", "scheduled_for"], name="core_scheduled_once")
        ]

    def __str__(self) -> str:
        return f"{self.job} {timezone.localtime(self.scheduled_for):%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """Requests counted against a rate limit in one fixed time window (限流计数).

    Kept in the database, not in a per-process cache, so every app process and machine
    counts against the same limit. Rows outlive their window only until a new window of
    any key sweeps them, at most once a minute per process (see `outpost.core.ratelimit`).
    """

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="core_rate_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.hits}"


class WorkerHeartbeat(models.Model):
    """A background task worker that is alive (任务进程心跳): each `outpost db_worker`
    writes its row every few seconds. A task still "running" for a worker whose row has
    gone quiet died with it (see `outpost.core.workers`)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    # The process's start time on its host (Linux clock ticks since boot), so that a pid
    # reused by another process is not taken for the worker.
    process_started = models.BigIntegerField(_("process start"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.host}:{self.pid}"


class AccountEventQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> AccountEventQuerySet:
        """Events of logins in the user's subtree, for those who manage staff accounts."""
        if user_sees_everything(user):
            return self.all()
        if not user.has_perm("core.view_staffprofile"):
            return self.none()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        return self.filter(in_subtree(unit, via="user__staff_profile__unit"))


class AccountEvent(models.Model):
    """One change to a login (账号操作记录): created, password changed or reset, deactivated,
    roles or unit changed, lockout cleared; who did it, when and from where."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_actions",
        help_text=_("Empty when the user acted on a link sent by email."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="account_events",
    )
    action = models.CharField(_("action"), max_length=30, choices=AccountAction.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AccountEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class DemoPassword(models.Model):
    """The password hash every login of the demo district was given (演示口令).

    All demo logins share one hash, so "still has the demo password" is an exact match;
    production refuses to start while any account does (see `core.checks`).
    """

    password_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo password of {self.created_at:%Y-%m-%d}"


class RetentionPolicy(models.Model):
    """How long one kind of record is kept (保存期限) and what happens then: a period in days
    after the kind's reference date (an episode's end, a feed's upload) and delete or
    anonymise. Without a row, the kind's default (see README) holds. Every change bumps
    `version`, which the purge certificates name."""

    kind = models.CharField(_("kind of record"), max_length=60, unique=True)
    days = models.PositiveIntegerField(_("days kept"))
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"


class PurgeCertificate(models.Model):
    """The record of one purge run (清除证明): which policies (and versions) it applied, how
    many records of each kind it deleted or anonymised and the range of their reference
    dates, how many it skipped under a legal hold, when it ran and as which task. Counts
    only, never personal data. Each certificate carries the hash of the one before it, so
    a missing or edited certificate breaks the chain (`outpost retention verify`).

    A run's certificate is written when it starts and updated in the transaction of each
    batch; `record_hash` is set when the run finishes. A run that died is finished by the
    next one, so every purged record is on a certificate."""

    sequence = models.PositiveIntegerField(_("number"), unique=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    task_run = models.CharField(_("task run"), max_length=64, blank=True)
    policies = models.JSONField(_("policies applied"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)
    held = models.JSONField(_("skipped under legal hold"), default=dict)
    previous_hash = models.CharField(_("previous certificate's hash"), max_length=64, blank=True)
    record_hash = models.CharField(_("hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("purge certificate")
        verbose_name_plural = _("purge certificates")
        ordering = ["-sequence"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.sequence}"

    @property
    def is_finished(self) -> bool:
        return bool(self.record_hash)


class LegalHoldQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> LegalHoldQuerySet:
        """Holds on records of the user's subtree, for those who may manage holds."""
        if user_sees_everything(user):
            return self.all()
        if not user.has_perm(f"core.{action}_legalhold"):
            return self.none()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        return self.filter(in_subtree(unit))

    def open(self) -> LegalHoldQuerySet:
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """A legal hold (法律保全) on a record, usually a resident or a key person, while a case
    needs it: the retention job skips every record about it until the hold is released.
    The record is named by its type and number (core knows no app's models)."""

    model_label = models.CharField(_("record type"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("record"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="legal_holds"
    )
    case_reference = models.CharField(_("case reference"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    history = HistoricalRecords()

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["model_label", "object_id"])]

    def __str__(self) -> str:
        return self.case_reference

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class AnonymisedRecord(models.Model):
    """A record the retention job anonymised (已匿名): its kind and number. One table for
    every kind, so that no app's model needs a column of its own; the purge skips what is
    here, and the record's page says so."""

    kind = models.CharField(_("kind of record"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("record"))
    anonymised_at = models.DateTimeField(_("anonymised"))
    certificate = models.ForeignKey(
        PurgeCertificate,
        verbose_name=_("purge certificate"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("anonymised record")
        verbose_name_plural = _("anonymised records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_anonymised_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"


class KeyCheck(models.Model):
    """A known text encrypted (data key) or indexed (index key) with each key of the key
    ring (密钥校验值): a start with a key file that is not the one the database was written
    with is refused (`core.crypto.verify`), instead of writing under one key what was read
    under another."""

    key_id = models.CharField(max_length=8, unique=True)
    kind = models.CharField(max_length=10)  # "data" or "index"
    value = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key check")
        verbose_name_plural = _("key checks")

    def __str__(self) -> str:
        return self.key_id


# People's requests live in their own module of core; imported here so Django finds them.
from outpost.core.subject_requests.models import SubjectRequest  # noqa: E402, F401
