"""The page shell (menu, home tiles, inbox badge) shows what the apps registered, as it
showed when core listed them itself."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from outpost.core.context_processors import shell

pytestmark = pytest.mark.django_db

# The menu as core listed it before the apps registered their entries: (group, url name).
MENU_BEFORE = [
    (None, "home"),
    (None, "briefing:dashboard"),
    ("Registry", "registry:my_grid"),
    ("Registry", "registry:household_list"),
    ("Registry", "registry:resident_list"),
    ("Registry", "registry:campaign_list"),
    ("Registry", "registry:duplicate_list"),
    ("Registry", "registry:export"),
    ("Screening", "screening:feed_list"),
    ("Screening", "screening:run_list"),
    ("Screening", "screening:review_list"),
    ("Screening", "screening:discrepancy_list"),
    ("Screening", "screening:designation_list"),
    ("Key persons", "keypersons:mine"),
    ("Key persons", "keypersons:list"),
    ("Key persons", "keypersons:coverage"),
    ("Key persons", "keypersons:overdue"),
    ("Observation", "observation:episode_list"),
    ("Observation", "observation:site_list"),
    ("Observation", "observation:alert_list"),
    ("Dispatch", "dispatch:order_list"),
    ("Dispatch", "dispatch:my_items"),
    ("Enterprise Safe Home", "enterprises:mine"),
    ("Enterprise Safe Home", "enterprises:list"),
    ("Enterprise Safe Home", "enterprise_notices:list"),
    ("Enterprise Safe Home", "enterprise_notices:calls"),
    ("Enterprise Safe Home", "supplies:request_list"),
    ("Enterprise Safe Home", "supplies:request_new"),
    ("Enterprise Safe Home", "supplies:store"),
    ("Enterprise Safe Home", "supplies:ledger"),
    ("Enterprise Safe Home", "supplies:donor_list"),
    ("Enterprise Safe Home", "dormitories:offer_list"),
    ("Enterprise Safe Home", "dormitories:request_list"),
    ("Enterprise Safe Home", "dormitories:stay_list"),
    ("Enterprise Safe Home", "enterprise_tests:unreported"),
    ("Q&A", "inquiries:queue"),
    ("Q&A", "inquiries:log"),
    ("Q&A", "inquiries:faq_list"),
    ("Q&A", "inquiries:links"),
    ("Public order", "publicorder:venue_list"),
    ("Public order", "publicorder:campaign_list"),
    ("Public order", "publicorder:event_list"),
    ("Public order", "publicorder:patrol_log"),
    ("Public order", "publicorder:route_list"),
    ("Public order", "publicorder:incidents"),
    ("Enforcement cases", "cases:list"),
    ("Enforcement cases", "cases:item_list"),
    ("Enforcement cases", "cases:figures"),
    ("Wartime duty", "duty:now"),
    ("Wartime duty", "duty:roster_list"),
    ("Wartime duty", "duty:mine"),
    ("Wartime duty", "duty:leave_list"),
    ("Wartime duty", "duty:pioneer"),
    ("Personal information", "core:subject_request_list"),
    ("Admin", "core:unit_list"),
    ("Admin", "core:access_log"),
    ("Admin", "core:processing_register"),
    ("Admin", "core:import_list"),
    ("Admin", "core:user_list"),
    ("Admin", "core:lockout_list"),
    ("Admin", "core:api_tokens"),
    ("Admin", "core:retention_policies"),
    ("Admin", "core:legal_holds"),
]


def _shell_of(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return shell(request)


def test_the_menu_keeps_its_order_and_groups_with_entries_registered_by_the_apps():
    admin = User.objects.create_superuser("root", password="x")
    with translation.override("en"):
        context = _shell_of(admin)
        menu = [
            (item["group"] and str(item["group"]), item["url"]) for item in context["nav_items"]
        ]
        groups = [str(group["label"]) for group in context["nav_groups"]]
    assert menu == [(group, reverse(url_name)) for group, url_name in MENU_BEFORE]
    assert groups == [
        "Registry",
        "Screening",
        "Key persons",
        "Observation",
        "Dispatch",
        "Enterprise Safe Home",
        "Q&A",
        "Public order",
        "Enforcement cases",
        "Wartime duty",
        "Personal information",
        "Admin",
    ]
