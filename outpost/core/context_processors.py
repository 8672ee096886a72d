from django.urls import reverse

from outpost.core.roles import role_uses_menu_entry
from outpost.core.scoping import user_scope_unit
from outpost.core.shell import menu_entries, shell_counters


def _navigation(request, user, roles) -> tuple[list[dict], list[dict]]:
    """The user's entries, flat and by group. A group is open on a phone when it holds the
    page being shown, and every group is open on the home page, the place to pick one."""
    items, groups = [], {}
    on_home = request.path == reverse("home")
    for group, label, url_name, permission in menu_entries():
        if permission is not None and not user.has_perm(permission):
            continue
        if not role_uses_menu_entry(roles, url_name):
            continue
        url = reverse(url_name)
        item = {"label": label, "url": url, "active": request.path == url, "group": group}
        items.append(item)
        if group is None:
            continue
        entry = groups.setdefault(group, {"label": group, "items": [], "open": on_home})
        entry["items"].append(item)
        # A page under an entry (a household under Households) opens its group too.
        if request.path.startswith(url) and url != "/":
            entry["open"] = True
            entry["current"] = True
    return items, list(groups.values())


def shell(request):
    """What the page shell shows: navigation, the counters the apps registered (the
    inbox badge), the user's unit and roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "staff_profile", None)
    roles = profile.roles if profile else []
    nav, nav_groups = _navigation(request, user, roles)
    return {
        **shell_counters(user=user),
        "nav_items": nav,
        "nav_groups": nav_groups,
        "current_unit": user_scope_unit(user),
        "staff_profile": profile,
        "staff_roles": roles,
    }
