"""Daily snapshots (每日快照): the briefing figures of one unit frozen at day close, so a past
day's report never changes and day-over-day deltas are exact. With each count the snapshot
keeps the rows it counted, so the list behind a frozen figure is the same row set."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel


class DailySnapshot(ScopedModel):
    """The figures of one unit (and everything below it) for one day."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="snapshots"
    )
    day = models.DateField(_("day"))
    figures = models.JSONField(_("figures"))
    # Per figure, the pks of the rows it counted as [first, last] runs: ids of a grid's
    # households or residents mostly follow each other, so a station's 100,000 residents
    # take a few hundred runs. Empty for snapshots taken before rows were kept.
    rows = models.JSONField(_("rows"), default=dict, blank=True)
    taken_at = models.DateTimeField(_("taken"))

    class Meta:
        verbose_name = _("daily snapshot")
        verbose_name_plural = _("daily snapshots")
        ordering = ["-day", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="briefing_one_snapshot_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day}"

    def frozen_pks(self, key: str) -> list[int] | None:
        """The pks of the rows the figure `key` counted, or None if they were not kept."""
        runs = (self.rows or {}).get(key)
        if runs is None:
            return None
        return [pk for first, last in runs for pk in range(first, last + 1)]


def pk_runs(pks: list[int]) -> list[list[int]]:
    """Sorted pks as [first, last] runs of consecutive ids."""
    runs: list[list[int]] = []
    for pk in pks:
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs
