"""Doing the same thing to many records at once (批量操作): a checkbox list and one action.

Each record goes through the app's own per-record service, one by one, each in its own
transaction: the service checks the user's right and scope and writes the audit row for
that record as it does for a single one. A record the service refuses is reported with
its reason; the others are done. Nothing is done that the single-record page would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# More than this many records in one batch is refused whole: a batch is a page of a list.
BATCH_MAX = 200
# Refusals listed one by one on the page; past that, a count.
REFUSALS_SHOWN = 20


@dataclass
class BatchResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def selected_ids(data, name: str = "selected") -> list[int]:
    """The record ids ticked in a form (`name` repeated), each once, in the order given;
    anything not a number is left out."""
    ids: list[int] = []
    for raw in data.getlist(name):
        if str(raw).isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids


def batch_apply(
    *,
    ids: Iterable[int],
    records: dict[int, object],
    label: Callable[[object], str],
    action: Callable[[object], object],
) -> BatchResult:
    """Run `action` on each record of `ids`, found in `records` (the user's visible ones,
    by id; an id not there is reported as not found, the same for missing and forbidden).
    `label` names a record in the summary (masked where personal)."""
    result = BatchResult()
    ids = list(ids)
    if len(ids) > BATCH_MAX:
        result.refused.append(
            (_("The selection"), _("At most %(n)d records at once.") % {"n": BATCH_MAX})
        )
        return result
    for pk in ids:
        record = records.get(pk)
        if record is None:
            result.refused.append((f"#{pk}", _("Not found in your jurisdiction.")))
            continue
        try:
            with transaction.atomic():
                action(record)
        except ValidationError as exc:
            result.refused.append((label(record), " ".join(exc.messages)))
        except PermissionDenied:
            result.refused.append((label(record), _("Your role may not do this to it.")))
        else:
            result.done.append(label(record))
    return result


def batch_report(request, result: BatchResult, *, done_message: str) -> None:
    """Tell the user what was done (`done_message`, shown when something was) and what
    was refused and why, as page messages."""
    if result.done:
        messages.success(request, done_message)
    if not result.done and not result.refused:
        messages.info(request, _("Nothing was selected."))
    if result.refused:
        messages.warning(
            request,
            ngettext(
                "%(n)d record was refused:", "%(n)d records were refused:", len(result.refused)
            )
            % {"n": len(result.refused)},
        )
    for name, reason in result.refused[:REFUSALS_SHOWN]:
        messages.warning(request, f"{name}: {reason}")
    if len(result.refused) > REFUSALS_SHOWN:
        messages.warning(
            request,
            _("… and %(n)d more.") % {"n": len(result.refused) - REFUSALS_SHOWN},
        )
