"""What the page shell shows, registered by the apps (菜单与首页): menu entries, home-page
tiles and the counters beside the menu (the inbox badge).

Core does not know the apps built on it: each registers its part in its
``AppConfig.ready()``, the way importers, exports and recovery handlers are registered.
The context processor (`outpost.core.context_processors.shell`) and the home page read
what was registered, keep what the user may see, and show it in `order`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

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
    """One tile of the home page: `count(user=...)` gives its number, the number of rows
    of the list its link opens."""

    label: Label
    url_name: str
    permission: str
    count: Callable[..., int]
    order: int


_MENU: list[MenuEntry] = []
_HOME_TILES: list[HomeTile] = []
_SHELL_COUNTERS: dict[str, Callable[..., int]] = {}


# One menu entry as an app lists it: (group, label, url name, permission), optionally
# followed by the roles whose bottom bar shows it.
MenuItem = (
    tuple[Label | None, Label, str, str | None]
    | tuple[Label | None, Label, str, str | None, Iterable[str]]
)


def register_menu(entries: Iterable[MenuItem], *, order: int) -> None:
    """Add an app's menu entries, given as (group, label, url name, permission needed[,
    roles whose phone bottom bar shows it]), in the order they are listed, at `order` among
    the apps (lower first). Entries sharing a group heading are shown under it; a group
    stands where its first entry stands. Call from ``AppConfig.ready()``."""
    for position, (group, label, url_name, permission, *primary) in enumerate(entries):
        primary_for = frozenset(str(role) for role in primary[0]) if primary else frozenset()
        entry = MenuEntry(group, label, url_name, permission, order * 1000 + position, primary_for)
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


def register_shell_counter(name: str, count: Callable[..., int]) -> None:
    """Put `count(user=...)` in every signed-in page's context as `name` (the inbox badge
    is `inbox_unread`). Call from ``AppConfig.ready()``."""
    _SHELL_COUNTERS[name] = count


def shell_counters(*, user) -> dict[str, int]:
    """The registered counters for a signed-in user."""
    return {name: count(user=user) for name, count in _SHELL_COUNTERS.items()}
