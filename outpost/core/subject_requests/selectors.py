"""Reads of people's requests: the list and its filters, the to-do counts, and the changes
made under a request (found in every audited model's history by the request's number)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from outpost.core.subject_requests.choices import DUE_SOON_DAYS, RequestStatus
from outpost.core.subject_requests.models import SubjectRequest

# The list's "due" filter.
DUE_OVERDUE = "overdue"
DUE_SOON = "soon"


def requests_due(requests: QuerySet, due: str, today: datetime.date | None = None) -> QuerySet:
    """Open requests past their due day (`overdue`) or due within three days (`soon`)."""
    today = today or timezone.localdate()
    open_ = requests.filter(status=RequestStatus.OPEN)
    if due == DUE_OVERDUE:
        return open_.filter(due_on__lt=today)
    if due == DUE_SOON:
        return open_.filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
    return requests


def subject_request_list(
    *, user, status: str = "", kind: str = "", due: str = ""
) -> QuerySet[SubjectRequest]:
    requests = SubjectRequest.objects.visible_to(user).select_related("unit")
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    return requests_due(requests, due)


@dataclass(frozen=True)
class ChangeUnder:
    """One change made under a request: when, to which kind of record, by whom, which
    fields (their names only: the page shows no value)."""

    at: datetime.datetime
    record_type: str
    record_id: int
    user: str
    fields: tuple[str, ...]
    reason: str


def _audited_models():
    for model in apps.get_models():
        if model.__module__.startswith("outpost.") and hasattr(model, "history"):
            history = getattr(model, "history", None)
            if history is not None and hasattr(history, "model"):
                yield model, history.model


def changes_under(request: SubjectRequest) -> list[ChangeUnder]:
    """Every change whose history names the request's number, oldest first (the history
    tables since the request was recorded, by their indexed date)."""
    prefix = f"{request.reference} "
    changes = []
    for model, history_model in _audited_models():
        if model is SubjectRequest:
            continue
        rows = history_model.objects.filter(
            history_date__gte=request.created_at, history_change_reason__startswith=prefix
        ).select_related("history_user__staff_profile")
        for row in rows:
            fields: tuple[str, ...] = ()
            previous = row.prev_record
            if previous is not None:
                delta = row.diff_against(previous)
                fields = tuple(
                    str(model._meta.get_field(change.field).verbose_name)
                    for change in delta.changes
                )
            user = row.history_user
            changes.append(
                ChangeUnder(
                    at=row.history_date,
                    record_type=str(model._meta.verbose_name),
                    record_id=row.id,
                    user=str(getattr(user, "staff_profile", None) or user or "—"),
                    fields=fields,
                    reason=row.history_change_reason,
                )
            )
    return sorted(changes, key=lambda change: change.at)
