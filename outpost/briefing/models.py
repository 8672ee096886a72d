"""Daily snapshots (每日快照): the briefing figures of one unit frozen at day close, so a past
day's report never changes and day-over-day deltas are exact."""

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
