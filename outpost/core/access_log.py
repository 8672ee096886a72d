"""The access log as staff read it (访问日志): filters, human names of records and fields,
and its export as xlsx (itself logged, as every export of personal data).

The filters travel as plain values (ISO dates, ids, codes) so that the page, its
pagination and the export task read them alike (`AccessLogFilter.from_params`).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from outpost.core.choices import AccessAction, AccessPurpose
from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import Column, LedgerSheet, export_subtitle
from outpost.core.models import AccessLog, Unit
from outpost.core.scoping import get_visible, in_subtree
from outpost.core.selectors import access_log_list

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class AccessLogFilter:
    """What the access log is narrowed to: days (China time, both included), a user (login
    or name), an action, a purpose (`AccessPurpose`), a unit (its staff and the staff below
    it), a record type and a record (its id), and free text in the subject or the reason."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    user: str = ""
    action: str = ""
    purpose: str = ""
    unit_id: int | None = None
    record_type: str = ""
    record: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params) -> AccessLogFilter:
        """From a query string or an export's parameters; a malformed value is dropped (a
        filter the user mistyped shows everything rather than an error page)."""
        unit = str(params.get("unit_id") or params.get("unit") or "")
        action = params.get("action") or ""
        purpose = params.get("purpose") or ""
        return cls(
            since=_day(params.get("since")),
            until=_day(params.get("until")),
            user=(params.get("user") or "").strip()[:150],
            action=action if action in AccessAction.values else "",
            purpose=purpose if purpose in AccessPurpose.values else "",
            unit_id=int(unit) if unit.isdigit() else None,
            record_type=(params.get("record_type") or "").strip()[:100],
            record=(params.get("record") or "").strip()[:64],
            q=(params.get("q") or "").strip()[:200],
        )

    def params(self) -> dict:
        """The filter as JSON values, for the export task."""
        values = asdict(self)
        for key in ("since", "until"):
            values[key] = values[key].isoformat() if values[key] else ""
        return values

    def apply(self, entries: QuerySet[AccessLog], *, unit: Unit | None) -> QuerySet[AccessLog]:
        if self.since:
            entries = entries.filter(at__gte=_start_of(self.since))
        if self.until:
            entries = entries.filter(at__lt=_start_of(self.until + datetime.timedelta(days=1)))
        if self.user:
            entries = entries.filter(
                Q(actor__username__icontains=self.user)
                | Q(actor__staff_profile__display_name__icontains=self.user)
            )
        if self.action:
            entries = entries.filter(action=self.action)
        if self.purpose:
            entries = entries.filter(purpose=self.purpose)
        if unit is not None:
            entries = entries.filter(in_subtree(unit, via="actor__staff_profile__unit"))
        if self.record_type:
            entries = entries.filter(model_label=self.record_type)
        if self.record:
            entries = entries.filter(object_id=self.record)
        if self.q:
            entries = entries.filter(
                Q(subject__icontains=self.q)
                | Q(reason__icontains=self.q)
                | Q(actor__username__icontains=self.q)
                | Q(actor__staff_profile__display_name__icontains=self.q)
            )
        return entries


def _day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_unit(*, user, access_filter: AccessLogFilter) -> Unit | None:
    """The unit filtered on, within the user's scope (a 404 otherwise)."""
    if access_filter.unit_id is None:
        return None
    return get_visible(Unit, user, access_filter.unit_id)


# ---------------------------------------------------------------------------- human names


def record_type_label(model_label: str) -> str:
    """A record type as staff call it ("resident" for registry.Resident), in the language
    of the request; the label itself for a type no longer known."""
    return _record_type_label(model_label, get_language())


@cache
def _record_type_label(model_label: str, language: str | None) -> str:
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label


@cache
def _field_labels(model_label: str, language: str | None) -> dict[str, str]:
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return {}
    return {
        field.name: str(field.verbose_name)
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
    }


@cache
def _any_model_field_labels(language: str | None) -> dict[str, str]:
    """Field name -> verbose name over every model of the project: an export names the
    columns it wrote (`id_number` of a contact ledger), which its model may not hold."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        if model.__module__.startswith("outpost.") and not model.__name__.startswith("Historical"):
            for field in model._meta.concrete_fields:
                labels.setdefault(field.name, str(field.verbose_name))
    return labels


def field_labels(model_label: str, names) -> list[str]:
    """The fields of an entry by their names on the pages (身份证号, 电话), in the
    language of the request."""
    language = get_language()
    own = _field_labels(model_label, language)
    fallback = _any_model_field_labels(language)
    return [own.get(name) or fallback.get(name) or name for name in names or ()]


def record_types(entries: QuerySet[AccessLog]) -> list[tuple[str, str]]:
    """(model label, human name) of the record types the entries concern, by name."""
    labels = entries.order_by().values_list("model_label", flat=True).distinct()
    return sorted(((label, record_type_label(label)) for label in labels), key=lambda t: t[1])


# ---------------------------------------------------------------------------- export


COLUMNS = [
    Column(gettext_lazy("No."), 6),
    Column(gettext_lazy("Time"), 17),
    Column(gettext_lazy("Staff"), 14),
    Column(gettext_lazy("Unit"), 18),
    Column(gettext_lazy("Action"), 10),
    Column(gettext_lazy("Record type"), 14),
    Column(gettext_lazy("Record"), 9, text=True),
    Column(gettext_lazy("Subject"), 22),
    Column(gettext_lazy("Fields"), 22),
    Column(gettext_lazy("Rows"), 8),
    Column(gettext_lazy("Purpose"), 12),
    Column(gettext_lazy("Reason"), 30),
]
EXPORT_FIELDS = ("actor", "subject", "fields", "reason", "ip_address")


class AccessLogExport(ExportDefinition):
    """The access log of the user's subtree, filtered as on the page."""

    name = "core.access_log"
    label = gettext_lazy("Access log")
    model = AccessLog
    fields = EXPORT_FIELDS
    masking = Masking.MASKED
    permissions = ("core.view_accesslog",)
    permission_message = gettext_lazy("Your role may not read the access log.")
    form_url_name = "core:access_log"

    def records(self, *, user, params: dict) -> dict:
        access_filter = AccessLogFilter.from_params(params)
        return {
            "filter": access_filter,
            "unit": filter_unit(user=user, access_filter=access_filter),
        }

    def clean(self, *, params: dict, records: dict) -> None:
        access_filter = records["filter"]
        if (
            access_filter.since
            and access_filter.until
            and access_filter.since > access_filter.until
        ):
            raise ValidationError({"until": _("The end cannot be before the start.")})

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        access_filter = records["filter"]
        sheet = LedgerSheet(
            sheet_title=_("Access log"),
            title=_("Access log"),
            subtitle=export_subtitle(
                acting_user=request.acting_user, today=request.today, unmasked=None
            ),
            columns=COLUMNS,
        )
        entries = access_log_list(
            user=request.acting_user, access_filter=access_filter, unit=records["unit"]
        ).select_related("actor__staff_profile__unit")
        actions = dict(AccessAction.choices)
        for entry in entries.iterator(chunk_size=CHUNK_SIZE):
            profile = getattr(entry.actor, "staff_profile", None)
            sheet.append(
                [
                    sheet.rows + 1,
                    timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
                    str(profile or entry.actor.username),
                    profile.unit.name if profile and profile.unit_id else "",
                    str(actions.get(entry.action, entry.action)),
                    record_type_label(entry.model_label),
                    entry.object_id,
                    entry.subject,
                    "、".join(field_labels(entry.model_label, entry.fields)),
                    entry.row_count,
                    entry.get_purpose_display() if entry.purpose else "",
                    entry.reason,
                ]
            )
        sheet.save(target, footer=_("Total: %(count)d entries") % {"count": sheet.rows})
        return Written(
            rows=sheet.rows,
            filename=safe_name(request.today),
            fields=EXPORT_FIELDS,
        )

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        access_filter = records["filter"]
        days = "–".join(
            day.isoformat() for day in (access_filter.since, access_filter.until) if day
        )
        return (_("Access log %(days)s") % {"days": days}).strip()


def safe_name(today: datetime.date) -> str:
    return safe_filename(_("Access log"), today.isoformat(), suffix="xlsx")
