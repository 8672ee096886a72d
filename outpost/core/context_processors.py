from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outpost.core.scoping import user_scope_unit
from outpost.notify.selectors import inbox_unread_count

# Every module's entry in the navigation: (label, url name, permission needed).
# Later modules add their entries here.
NAVIGATION = [
    (_("Home"), "home", None),
    (_("My grid"), "registry:my_grid", "registry.add_visit"),
    (_("Households"), "registry:household_list", "registry.view_household"),
    (_("Residents"), "registry:resident_list", "registry.view_resident"),
    (_("Campaigns"), "registry:campaign_list", "registry.view_campaign"),
    (_("Duplicates"), "registry:duplicate_list", "registry.change_resident"),
    (_("Exports"), "registry:export", "registry.view_resident"),
    (_("Feeds"), "screening:feed_list", "screening.view_feed"),
    (_("Screening runs"), "screening:run_list", "screening.view_screeningrun"),
    (_("Matches to review"), "screening:review_list", "screening.add_matchdecision"),
    (_("Travel discrepancies"), "screening:discrepancy_list", "screening.view_traveldiscrepancy"),
    (_("Risk designations"), "screening:designation_list", "screening.view_riskdesignation"),
    (_("My key persons"), "keypersons:mine", "keypersons.add_contactentry"),
    (_("Key persons"), "keypersons:list", "keypersons.view_keyperson"),
    (_("Coverage"), "keypersons:coverage", "keypersons.view_teammember"),
    (_("Overdue contacts"), "keypersons:overdue", "keypersons.view_contactentry"),
    (_("Dispatch orders"), "dispatch:order_list", "dispatch.view_dispatchorder"),
    (_("My order items"), "dispatch:my_items", "dispatch.change_dispatchitem"),
    (_("Units"), "core:unit_list", None),
    (_("Access log"), "core:access_log", "core.view_accesslog"),
    (_("Imports"), "core:import_list", "core.add_importjob"),
]


def shell(request):
    """What the page shell shows: navigation, the user's unit and roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "staff_profile", None)
    nav = [
        {"label": label, "url": reverse(url_name), "active": request.path == reverse(url_name)}
        for label, url_name, permission in NAVIGATION
        if permission is None or user.has_perm(permission)
    ]
    return {
        "inbox_unread": inbox_unread_count(user=user),
        "nav_items": nav,
        "current_unit": user_scope_unit(user),
        "staff_profile": profile,
        "staff_roles": profile.roles if profile else [],
    }
