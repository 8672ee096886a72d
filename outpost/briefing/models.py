"""Daily snapshots (每日快照): the briefing figures of one unit frozen at day close, so a past
day's report never changes and day-over-day deltas are exact. With each count the snapshot
keeps the rows it counted, so the list behind a frozen figure is the same row set."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


class FigureThreshold(models.Model):
    """When a figure of the dashboard shows amber or red (预警阈值), set by an administrator.

    For a figure shown as a share of its total (households screened of households) the
    thresholds are percentages; for the others, counts. Without a row the figure is not
    coloured."""

    key = models.CharField(_("figure"), max_length=60, unique=True)
    amber_at = models.DecimalField(_("amber from"), max_digits=9, decimal_places=1)
    red_at = models.DecimalField(_("red from"), max_digits=9, decimal_places=1)
    higher_is_worse = models.BooleanField(
        _("higher is worse"),
        default=True,
        help_text=_(
            "Ticked: amber at or above the amber value, red at or above the red value (e.g. "
            "overdue items). Unticked: amber at or below, red at or below (e.g. the share "
            "screened)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("figure threshold")
        verbose_name_plural = _("figure thresholds")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        # Here, not at the top: the figures import the models of every app below briefing.
        from outpost.briefing.figures import figure_by_key

        if figure_by_key(self.key) is None:
            raise ValidationError({"key": _("No figure has this key.")})
        wrong_order = (
            self.red_at < self.amber_at if self.higher_is_worse else self.red_at > self.amber_at
        )
        if wrong_order:
            raise ValidationError(
                {"red_at": _("Red must lie beyond amber: a worse value than amber's.")}
            )

    def colour(self, value: float | None) -> str:
        """ "red", "amber" or "green" for `value`; "" when there is no value."""
        if value is None:
            return ""
        if self.higher_is_worse:
            reached = lambda limit: value >= limit  # noqa: E731
        else:
            reached = lambda limit: value <= limit  # noqa: E731
        if reached(self.red_at):
            return "red"
        if reached(self.amber_at):
            return "amber"
        return "green"
