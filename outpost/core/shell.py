"""What the page shell shows, registered by the apps (菜单与首页): menu entries, home-page
tiles, the home page's to-do lines (今日待办) and the counters beside the menu (the inbox
badge).

Core does not know the apps built on it: each registers its part in its
``AppConfig.ready()``, the way importers, exports and recovery handlers are registered.
The context processor (`outpost.core.context_processors.shell`) and the home page read
what was registered, keep what the user may see, and show it in `order`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.functional import Promise

from outpost.core.counting import count_together

# A group heading or a label: a (lazy) translatable string.
Label = str | Promise


@dataclass(frozen=True)
class MenuEntry:
    """One link of the navigation. `group` is its heading (None: before the groups);
    `permission` the one needed to see it (None: every signed-in user); `primary_for` the
    roles (values of `Role`) whose phone bottom bar shows it, among their 4–5 main
    destinations ("*": every role)."""

    group: Label | None
    label: Label
    url_name: str
    permission: str | None
    order: int
    primary_for: frozenset[str] = frozenset()

    def is_primary_for(self, roles) -> bool:
        """Whether the entry is a bottom-bar destination of any of `roles` (a user without
        a role: none but the entries of every role)."""
        return "*" in self.primary_for or any(role in self.primary_for for role in roles)


@dataclass(frozen=True)
class HomeTile:
    """One tile of the home page: `rows(user=...)` gives the rows of the list its link
    opens, and the tile shows their number."""

    label: Label
    url_name: str
    permission: str
    rows: Callable[..., QuerySet]
    order: int


# The state of a to-do line: red when overdue, amber when due today (only with a count).
TODO_OVERDUE = "overdue"
TODO_DUE = "due"
TODO_NORMAL = "normal"


@dataclass
class TodoLine:
    """One line of a user's to-do list: `count` is the number of rows of the list `url`
    opens (counted from the same queryset the list shows, `rows`); `state` colours it;
    `change` is the difference from yesterday where a line has one (the leader's
    figures). The home page counts the lines of all sources together (`home_counts`)."""

    label: str
    url: str
    urgency: str = TODO_NORMAL
    change: int | None = None
    # A figure (the leader's headlines) is shown at zero too; a line of work only when
    # there is some.
    always: bool = False
    rows: QuerySet | None = field(default=None, repr=False)
    counted: int | None = None

    @property
    def count(self) -> int:
        if self.counted is None:
            self.counted = self.rows.count()
        return self.counted

    @property
    def state(self) -> str:
        """Red or amber (`urgency`) only when there is something to do."""
        return self.urgency if self.count else TODO_NORMAL


def todo_line(
    label, rows, url: str, *, urgency: str = TODO_NORMAL, change=None, always: bool = False
) -> TodoLine:
    """A line counting `rows` (a queryset, counted when the lines are, or an int)."""
    counted, rows = (rows, None) if isinstance(rows, int) else (None, rows)
    return TodoLine(str(label), url, urgency, change, always, rows, counted)


@dataclass(frozen=True)
class TodoSource:
    """An app's to-do lines for the home page: `lines(user=)` gives them for a user who has
    one of `roles` (the roles whose day they belong to) and every one of `permissions`,
    which open the lists they link to. A source gives no line where it has nothing to say (no open
    campaign, no site on duty)."""

    name: str
    roles: frozenset[str]
    permissions: tuple[str, ...]
    lines: Callable[..., list[TodoLine]]
    order: int


_MENU: list[MenuEntry] = []
_HOME_TILES: list[HomeTile] = []
_TODO_SOURCES: dict[str, TodoSource] = {}
_SHELL_COUNTERS: dict[str, Callable[..., int]] = {}


# One menu entry as an app lists it: (group, label, url name, permission), optionally
# followed by the roles whose bottom bar shows it.
MenuItem = (
    tuple[Label | None, Label, str, str | None]
    | tuple[Label | None, Label, str, str | None, Iterable[str]]
)


def register_menu(entries: Iterable[MenuItem], *, order: float) -> None:
    """Add an app's menu entries, given as (group, label, url name, permission needed[,
    roles whose phone bottom bar shows it]), in the order they are listed, at `order` among
    the apps (lower first; a part of an app that registers its own entries takes a fraction
    of its app's order, e.g. 7.4 after 7). Entries sharing a group heading are shown under
    it; a group stands where its first entry stands. Call from ``AppConfig.ready()``."""
    for position, (group, label, url_name, permission, *primary) in enumerate(entries):
        primary_for = frozenset(str(role) for role in primary[0]) if primary else frozenset()
        entry = MenuEntry(
            group, label, url_name, permission, round(order * 1000) + position, primary_for
        )
        if entry not in _MENU:  # ready() may run twice in tests
            _MENU.append(entry)


def menu_entries() -> list[tuple[Label | None, Label, str, str | None]]:
    """Every app's menu entries as (group, label, url name, permission), in menu order."""
    return [
        (entry.group, entry.label, entry.url_name, entry.permission) for entry in registered_menu()
    ]


def registered_menu() -> list[MenuEntry]:
    """Every app's menu entries, in menu order."""
    return sorted(_MENU, key=lambda entry: entry.order)


def register_home_tile(tile: HomeTile) -> None:
    """Add a tile to the home page. Call from ``AppConfig.ready()``."""
    if tile not in _HOME_TILES:
        _HOME_TILES.append(tile)


def home_tiles() -> list[HomeTile]:
    """Every app's home tiles, in order."""
    return sorted(_HOME_TILES, key=lambda tile: tile.order)


def register_todo_source(source: TodoSource) -> None:
    """Add an app's to-do lines to the home page. Call from ``AppConfig.ready()``."""
    _TODO_SOURCES[source.name] = source  # by name: ready() may run twice in tests


def todo_lines(*, user, roles) -> list[TodoLine]:
    """The to-do lines of a user with these roles, in order: each source of one of their
    roles whose lists they may open. Not yet counted: `home_counts` counts them with the
    tiles (a line read alone counts itself)."""
    held = {str(role) for role in roles}
    lines: list[TodoLine] = []
    for source in sorted(_TODO_SOURCES.values(), key=lambda source: source.order):
        if held & source.roles and user.has_perms(source.permissions):
            lines.extend(source.lines(user=user))
    return lines


def home_counts(lines: list[TodoLine], tile_rows: list[QuerySet]) -> list[int]:
    """Counts the lines not counted yet and the tiles' rows, all in one query; returns the
    tiles' counts."""
    pending = [line for line in lines if line.counted is None]
    counts = count_together([line.rows for line in pending] + tile_rows)
    for line, count in zip(pending, counts[: len(pending)], strict=True):
        line.counted = count
    return counts[len(pending) :]


def register_shell_counter(name: str, count: Callable[..., int]) -> None:
    """Put `count(user=...)` in every signed-in page's context as `name` (the inbox badge
    is `inbox_unread`). Call from ``AppConfig.ready()``."""
    _SHELL_COUNTERS[name] = count


def shell_counters(*, user) -> dict[str, int]:
    """The registered counters for a signed-in user."""
    return {name: count(user=user) for name, count in _SHELL_COUNTERS.items()}
