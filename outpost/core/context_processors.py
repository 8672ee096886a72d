from django.urls import reverse

from outpost.core.roles import role_uses_menu_entry, user_roles
from outpost.core.scoping import user_scope_unit
from outpost.core.shell import registered_menu, shell_counters

# The phone's bottom bar: at most this many destinations, then "More" (the whole menu).
BOTTOM_BAR_SIZE = 5


def _navigation(request, user, roles) -> tuple[list[dict], list[dict]]:
    """The user's entries, flat and by group. A group is open on a tablet when it holds the
    page being shown, and every group is open on the home page, the place to pick one."""
    items, groups = [], {}
    on_home = request.path == reverse("home")
    for entry in registered_menu():
        if entry.permission is not None and not user.has_perm(entry.permission):
            continue
        if not role_uses_menu_entry(roles, entry.url_name):
            continue
        url, group = reverse(entry.url_name), entry.group
        item = {
            "label": entry.label,
            "url": url,
            "active": request.path == url,
            "group": group,
            "primary": entry.is_primary_for(roles),
            # The entry whose section the page is in (a household under Households).
            "current": request.path == url or (url != "/" and request.path.startswith(url)),
        }
        items.append(item)
        if group is None:
            continue
        section = groups.setdefault(group, {"label": group, "items": [], "open": on_home})
        section["items"].append(item)
        # A page under an entry (a household under Households) opens its group too.
        if item["current"] and url != "/":
            section["open"] = True
            section["current"] = True
    return items, list(groups.values())


def _bottom_bar(items: list[dict], roles) -> list[dict]:
    """The role's main destinations for the phone's bottom bar, in menu order (a user
    without a role: the first entries)."""
    primary = [item for item in items if item["primary"]] if roles else items
    bar = primary[:BOTTOM_BAR_SIZE]
    # Only the most specific entry of the bar is marked current (My grid, not Home).
    current = [item for item in bar if item["current"]]
    deepest = max(current, key=lambda item: len(item["url"]), default=None)
    return [{**item, "current": item is deepest} for item in bar]


def shell(request):
    """What the page shell shows: navigation, the counters the apps registered (the
    inbox badge), the user's unit and roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "staff_profile", None)
    roles = user_roles(user)
    nav, nav_groups = _navigation(request, user, roles)
    return {
        **shell_counters(user=user),
        "nav_items": nav,
        "nav_groups": nav_groups,
        "nav_bar": _bottom_bar(nav, roles),
        "current_unit": user_scope_unit(user),
        "staff_profile": profile,
        "staff_roles": roles,
    }
