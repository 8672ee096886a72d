"""The registry's lines of the home page's to-do list (今日待办): a grid worker's households
still to visit in each open campaign, counted from the list My grid shows with ?todo=1."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_NORMAL, TodoLine, TodoSource, todo_line
from outpost.registry.selectors import campaign_worklist, campaigns_open

# A grid worker rarely works more than one campaign at once; the home shows the newest few.
CAMPAIGNS_SHOWN = 3


def households_to_visit(*, user, campaign):
    """The households of the campaign in the user's scope never visited, or where nobody
    was home at the last try: the rows of My grid with ?todo=1."""
    return campaign_worklist(user=user, campaign=campaign).filter(visit_rank__lt=2)


def grid_worker_lines(*, user) -> list[TodoLine]:
    today = timezone.localdate()
    lines = []
    for campaign in campaigns_open(user=user, today=today)[:CAMPAIGNS_SHOWN]:
        url = reverse("registry:my_grid") + f"?campaign={campaign.pk}&todo=1"
        lines.append(
            todo_line(
                _("Households to visit: %(campaign)s") % {"campaign": campaign.name},
                households_to_visit(user=user, campaign=campaign).order_by(),
                url,
                # The campaign's last day: what is left must be done today.
                urgency=TODO_DUE if campaign.end_date <= today else TODO_NORMAL,
            )
        )
    return lines


TODO_SOURCES = [
    TodoSource(
        "registry.households_to_visit",
        frozenset({Role.GRID_WORKER}),
        ("registry.add_visit", "registry.view_household"),
        grid_worker_lines,
        order=10,
    )
]
