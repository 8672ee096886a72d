from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outpost.core.scoping import user_scope_unit
from outpost.notify.selectors import inbox_unread_count

# The navigation's groups, in order; each entry below names its group.
REGISTRY = _("Registry")
SCREENING = _("Screening")
KEY_PERSONS = _("Key persons")
OBSERVATION = _("Observation")
DISPATCH = _("Dispatch")
ADMIN = _("Admin")

# Every module's entry in the navigation: (group, label, url name, permission needed).
# Later modules add their entries here. "Home" has no group: it stands before the groups.
NAVIGATION = [
    (None, _("Home"), "home", None),
    (None, _("Daily briefing"), "briefing:dashboard", "briefing.view_dailysnapshot"),
    (REGISTRY, _("My grid"), "registry:my_grid", "registry.add_visit"),
    (REGISTRY, _("Households"), "registry:household_list", "registry.view_household"),
    (REGISTRY, _("Residents"), "registry:resident_list", "registry.view_resident"),
    (REGISTRY, _("Campaigns"), "registry:campaign_list", "registry.view_campaign"),
    (REGISTRY, _("Duplicates"), "registry:duplicate_list", "registry.change_resident"),
    (REGISTRY, _("Exports"), "registry:export", "registry.view_resident"),
    (SCREENING, _("Feeds"), "screening:feed_list", "screening.view_feed"),
    (SCREENING, _("Screening runs"), "screening:run_list", "screening.view_screeningrun"),
    (SCREENING, _("Matches to review"), "screening:review_list", "screening.add_matchdecision"),
    (
        SCREENING,
        _("Concealed-travel discrepancies"),
        "screening:discrepancy_list",
        "screening.view_traveldiscrepancy",
    ),
    (
        SCREENING,
        _("Risk designations"),
        "screening:designation_list",
        "screening.view_riskdesignation",
    ),
    (KEY_PERSONS, _("My key persons"), "keypersons:mine", "keypersons.add_contactentry"),
    (KEY_PERSONS, _("Key persons"), "keypersons:list", "keypersons.view_keyperson"),
    (KEY_PERSONS, _("Coverage"), "keypersons:coverage", "keypersons.view_teammember"),
    (KEY_PERSONS, _("Overdue contacts"), "keypersons:overdue", "keypersons.view_contactentry"),
    (OBSERVATION, _("Observation"), "observation:episode_list", "observation.view_episode"),
    (
        OBSERVATION,
        _("Isolation sites"),
        "observation:site_list",
        "observation.view_isolationsite",
    ),
    (OBSERVATION, _("Alerts"), "observation:alert_list", "observation.view_alert"),
    (DISPATCH, _("Dispatch orders"), "dispatch:order_list", "dispatch.view_dispatchorder"),
    (DISPATCH, _("My order items"), "dispatch:my_items", "dispatch.change_dispatchitem"),
    (ADMIN, _("Units"), "core:unit_list", None),
    (ADMIN, _("Access log"), "core:access_log", "core.view_accesslog"),
    (ADMIN, _("Imports"), "core:import_list", "core.add_importjob"),
    (ADMIN, _("Users"), "core:user_list", "core.view_staffprofile"),
    (ADMIN, _("Lockouts"), "core:lockout_list", "core.change_staffprofile"),
]


def _navigation(request, user) -> tuple[list[dict], list[dict]]:
    """The user's entries, flat and by group. A group is open on a phone when it holds the
    page being shown, and every group is open on the home page, the place to pick one."""
    items, groups = [], {}
    on_home = request.path == reverse("home")
    for group, label, url_name, permission in NAVIGATION:
        if permission is not None and not user.has_perm(permission):
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
    """What the page shell shows: navigation, the user's unit and roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "staff_profile", None)
    nav, nav_groups = _navigation(request, user)
    return {
        "inbox_unread": inbox_unread_count(user=user),
        "nav_items": nav,
        "nav_groups": nav_groups,
        "current_unit": user_scope_unit(user),
        "staff_profile": profile,
        "staff_roles": profile.roles if profile else [],
    }
