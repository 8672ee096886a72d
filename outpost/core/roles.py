"""Roles (岗位角色) and the Django permissions each one carries.

A role is a Django group of the same name. What a user may do is the union of their
roles' permissions; where they may do it is their unit's subtree (see `scoping`).
Later modules add their permissions here.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from outpost.core.choices import Role, UnitKind
from outpost.core.scoping import user_scope_unit

VIEW = ("view",)
EDIT = ("view", "add", "change")

# app label -> actions, per role; plus extra "app.codename" permissions.
ROLE_MODEL_ACTIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.STATION_LEADER: {
        "registry": VIEW,
        "screening": VIEW,
        "keypersons": VIEW,
        "dispatch": VIEW,
        "observation": VIEW,
        "enterprises": VIEW,
        "cases": VIEW,
        "briefing": VIEW,
        "inquiries": VIEW,
        "publicorder": VIEW,
        "duty": EDIT,
    },
    Role.POLICE_OFFICER: {
        "registry": EDIT,
        "screening": EDIT,
        "keypersons": EDIT,
        "dispatch": EDIT,
        "observation": EDIT,
        "enterprises": EDIT,
        "cases": EDIT,
        "briefing": VIEW,
        "inquiries": EDIT,
        "publicorder": EDIT,
        "duty": EDIT,
    },
    Role.AUXILIARY_POLICE: {
        "registry": EDIT,
        "keypersons": EDIT,
        "observation": EDIT,
        "enterprises": VIEW,
        "inquiries": EDIT,
        "publicorder": EDIT,
        "duty": VIEW,
    },
    Role.COMMUNITY_CADRE: {
        "registry": EDIT,
        "keypersons": EDIT,
        "observation": EDIT,
        "enterprises": VIEW,
        "inquiries": EDIT,
    },
    Role.GRID_WORKER: {
        "registry": EDIT,
        "keypersons": EDIT,
        "observation": EDIT,
        "inquiries": EDIT,
    },
    Role.MEDICAL_STAFF: {"registry": VIEW, "keypersons": VIEW, "observation": EDIT},
    Role.GRID_WORKER: {"registry": EDIT, "keypersons": EDIT, "observation": EDIT},
    Role.MEDICAL_STAFF: {
        "registry": VIEW,
        "keypersons": VIEW,
        "observation": EDIT,
        "duty": VIEW,
    },
    Role.ANALYST: {
        "registry": VIEW,
        "screening": VIEW,
        "keypersons": VIEW,
        "dispatch": VIEW,
        "observation": VIEW,
        "enterprises": VIEW,
        "cases": VIEW,
        "briefing": VIEW,
        "inquiries": VIEW,
        "publicorder": VIEW,
    },
    # An enterprise liaison (企业联络员) reads its own enterprise's records only (the
    # enterprises app scopes it to the enterprise it is bound to) and keeps its contacts.
    Role.ENTERPRISE_LIAISON: {"enterprises": VIEW},
    Role.ADMINISTRATOR: {
        "registry": EDIT,
        "screening": EDIT,
        "keypersons": EDIT,
        "dispatch": EDIT,
        "observation": EDIT,
        "enterprises": EDIT,
        "cases": EDIT,
        "briefing": VIEW,
        "inquiries": EDIT,
        "publicorder": EDIT,
        "duty": EDIT,
    },
}

# Legal holds (法律保全) keep the records a case needs from the retention purge: placed and
# released by the station's officers, its leader and administrators.
_LEGAL_HOLDS = ("core.view_legalhold", "core.add_legalhold", "core.change_legalhold")
# People's requests about their personal information (个人信息权利请求) are recorded and
# answered by officers and administrators.
SUBJECT_REQUESTS = (
    "core.view_subjectrequest",
    "core.add_subjectrequest",
    "core.change_subjectrequest",
)
# Records sent late from phones that need a look (outpost/fieldwork): a contact logged
# offline after the key person was closed; an earlier account of a visit.
FIELD_FLAGS = ("fieldwork.view_fieldsubmission", "fieldwork.change_fieldsubmission")

# The employees' daily tests (员工每日检测) the liaison of an essential enterprise keeps.
LIAISON_EMPLOYEE_TESTS = (
    "enterprises.add_employee",
    "enterprises.change_employee",
    "enterprises.add_employeetest",
    "enterprises.change_employeetest",
    "core.add_importjob",
)

# Staff on a roster ask for swaps, answer them and ask for leave (战时勤务).
DUTY_OWN = ("duty.add_swaprequest", "duty.change_swaprequest", "duty.add_leaverequest")

ROLE_EXTRA_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.STATION_LEADER: (
        "registry.add_campaign",
        "registry.change_campaign",
        "screening.add_riskdesignation",
        "screening.change_riskdesignation",
        "screening.add_feed",
        "screening.add_screeningrun",
        "dispatch.add_dispatchorder",
        # Public order: the leader starts closure campaigns and acknowledges patrol
        # exceptions of the routes it leads.
        "publicorder.add_closurecampaign",
        "publicorder.change_patrol",
        "publicorder.add_incidentcount",
        "publicorder.change_incidentcount",
        # Escalated alerts reach the leader, who must be able to take them over.
        "observation.change_alert",
        "core.add_importjob",
        "core.reveal_personal_data",
        "core.export_personal_data",
        "core.view_accesslog",
        *_LEGAL_HOLDS,
        "core.view_subjectrequest",
        # Wartime duty (战时勤务): the leader publishes rosters, approves swaps and grants
        # leave during a freeze.
        "duty.publish_roster",
        "duty.grant_leaverequest",
    ),
    Role.POLICE_OFFICER: (
        # Routing order items, and handing one to a grid worker of its grid.
        "dispatch.assign_dispatchitem",
        "core.add_importjob",
        "core.reveal_personal_data",
        "core.export_personal_data",
        *_LEGAL_HOLDS,
        # Releasing, transferring or closing a key person is the officer's decision.
        "keypersons.close_keyperson",
        # An answer becomes a public FAQ entry only after an officer's review.
        "inquiries.review_faqentry",
        *SUBJECT_REQUESTS,
        *FIELD_FLAGS,
    ),
    Role.AUXILIARY_POLICE: ("core.add_importjob", *DUTY_OWN),
    Role.COMMUNITY_CADRE: ("core.add_importjob", "core.reveal_personal_data"),
    # The door check of an order item an officer handed them (我的指令条目): they read the
    # items of their grid and record on those assigned to them (`DispatchItem.objects`);
    # not the orders, the duty desk, assigning or the feedback workbook.
    Role.GRID_WORKER: ("dispatch.view_dispatchitem", "dispatch.change_dispatchitem"),
    # Medical staff serve on four-on-one teams: they log contacts with their key persons.
    Role.MEDICAL_STAFF: ("core.reveal_personal_data", "keypersons.add_contactentry", *DUTY_OWN),
    # The liaison keeps its enterprise's contact people and reads their phones.
    Role.ENTERPRISE_LIAISON: (
        "enterprises.add_enterprisecontact",
        "enterprises.change_enterprisecontact",
        "enterprises.act_for_enterprise",
        "core.reveal_personal_data",
        # Dormitories (闲置宿舍协调): its offers of idle rooms, its requests for beds, and
        # the end of the stays in its rooms.
        "enterprises.add_dormitoryoffer",
        "enterprises.change_dormitoryoffer",
        "enterprises.add_dormitoryroom",
        "enterprises.add_dormitoryrequest",
        "enterprises.change_dormitoryrequest",
        "enterprises.change_dormitorystay",
        # It keeps the employee list and reports the employees' daily tests (form or file).
        *LIAISON_EMPLOYEE_TESTS,
        # It files its enterprise's requests and confirms or reopens their answers.
        "enterprises.add_enterpriserequest",
        "enterprises.confirm_enterpriserequest",
    ),
    Role.ADMINISTRATOR: (
        "dispatch.assign_dispatchitem",
        "keypersons.close_keyperson",
        *SUBJECT_REQUESTS,
        *FIELD_FLAGS,
        "core.add_importjob",
        "core.reveal_personal_data",
        "core.export_personal_data",
        "core.view_accesslog",
        "core.view_unit",
        "core.change_unit",
        "core.add_unit",
        "core.view_staffprofile",
        "core.change_staffprofile",
        "core.add_staffprofile",
        "core.view_organisation",
        "core.change_organisation",
        "core.add_organisation",
        # Retention (保存期限): policies, purge certificates and legal holds.
        "core.view_retentionpolicy",
        "core.change_retentionpolicy",
        "core.view_purgecertificate",
        *_LEGAL_HOLDS,
    ),
}


# Permissions an app-level grant above gives a role that its work does not need: only
# station users (officers, leaders, administrators) organise screening campaigns.
_CAMPAIGN_ORGANISING = ("registry.add_campaign", "registry.change_campaign")
# Sites, rooms, duty rosters and observation rules are set up by the station (officers,
# administrators); the others work inside them.
_SITE_SETUP = (
    "observation.add_isolationsite",
    "observation.change_isolationsite",
    "observation.add_room",
    "observation.add_sitestaff",
    "observation.change_sitestaff",
    "observation.change_observationpolicy",
    "observation.add_observationplan",
    "observation.change_observationplan",
)
# Party membership (政治面貌) is sensitive: only leaders and administrators read it.
_PARTY_MEMBERSHIP = ("duty.view_partymember",)
# Officers draft rosters and change shifts; the leader publishes, freezes leave, records
# party membership and decides on leave (战时勤务).
_DUTY_LEADERS_ONLY = (
    *_PARTY_MEMBERSHIP,
    "duty.add_partymember",
    "duty.change_partymember",
    "duty.add_leavefreeze",
    "duty.change_leavefreeze",
    "duty.change_leaverequest",
)
ROLE_WITHHELD_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.POLICE_OFFICER: _DUTY_LEADERS_ONLY,
    Role.AUXILIARY_POLICE: _CAMPAIGN_ORGANISING + _SITE_SETUP + _PARTY_MEMBERSHIP,
    Role.COMMUNITY_CADRE: _CAMPAIGN_ORGANISING + _SITE_SETUP,
    Role.GRID_WORKER: _CAMPAIGN_ORGANISING + _SITE_SETUP,
    Role.MEDICAL_STAFF: _SITE_SETUP + _PARTY_MEMBERSHIP,
}


# Menu entries (URL names) a role's work does not use although its permissions would open
# them: the menu shows each role what it uses. A user with several roles sees an entry when
# any of their roles uses it. The pages stay reachable by their links.
ROLE_MENU_UNUSED: dict[Role, frozenset[str]] = {
    Role.GRID_WORKER: frozenset(
        {
            "core:unit_list",
            "registry:duplicate_list",
            "registry:export",
            "keypersons:coverage",
            "observation:site_list",
            "core:api_tokens",
        }
    ),
    Role.MEDICAL_STAFF: frozenset(
        {
            "core:unit_list",
            "registry:household_list",
            "registry:campaign_list",
            "registry:export",
            "core:api_tokens",
        }
    ),
    # Personal API tokens are for the staff who connect other systems, not field roles.
    # The liaison works on its own enterprise ("My enterprise"), not on the registry; its
    # imports start from its enterprise's pages, not the station's import list; the
    # station's stores and ledger are not the enterprise's (it sees none of them).
    Role.ENTERPRISE_LIAISON: frozenset(
        {
            "core:unit_list",
            "core:api_tokens",
            "core:import_list",
            "enterprises:list",
            "supplies:store",
            "supplies:ledger",
            "supplies:donor_list",
        }
    ),
}


def role_uses_menu_entry(roles: list[Role], url_name: str) -> bool:
    """Whether any of the roles uses the menu entry (a user without a role: every entry)."""
    if not roles:
        return True
    return any(url_name not in ROLE_MENU_UNUSED.get(role, frozenset()) for role in roles)


def user_roles(user) -> list[Role]:
    """The roles of a signed-in user (none without a staff profile), read once per user
    object: the page shell and the page itself ask in the same request."""
    cached = getattr(user, "_outpost_roles", None)
    if cached is None:
        profile = getattr(user, "staff_profile", None)
        cached = profile.roles if profile is not None else []
        user._outpost_roles = cached
    return cached


# Field roles that call the people of their own records from a call button (打电话), the
# number shown for that call only and the call logged as phone contact (电话联系): the
# grid worker in their grid, the community officer in their jurisdiction, both for the key
# persons they hold a four-on-one place for.
CALLING_ROLES = frozenset({Role.GRID_WORKER, Role.POLICE_OFFICER})


def user_calls(user) -> bool:
    return any(role in CALLING_ROLES for role in user_roles(user))


def own_grid(user):
    """The grid a grid worker works (我的网格): their unit when it is a grid, else None.
    Their households' door numbers are theirs to see, as on My grid."""
    unit = user_scope_unit(user)
    if unit is None or unit.kind != UnitKind.GRID:
        return None
    return unit if Role.GRID_WORKER in user_roles(user) else None


def role_permissions(role: Role) -> list[Permission]:
    return list(_role_permission_queryset(role))


def role_permission_sets() -> dict[Role, frozenset[str]]:
    """Each role's permissions as "app_label.codename" (what `user.has_perm` takes), read
    in one query from the role's group (`roles_sync` gives each group exactly its role's
    permissions after every migration): for pages that say which roles may do what (the
    processing register)."""
    held: dict[str, set[str]] = {role.value: set() for role in Role}
    rows = Permission.objects.filter(group__name__in=held).values_list(
        "group__name", "content_type__app_label", "codename"
    )
    for group, app_label, codename in rows:
        held[group].add(f"{app_label}.{codename}")
    return {role: frozenset(held[role.value]) for role in Role}


def _role_permission_queryset(role: Role):
    query = Q(pk__in=[])
    for app_label, actions in ROLE_MODEL_ACTIONS[role].items():
        for action in actions:
            query |= Q(content_type__app_label=app_label, codename__startswith=f"{action}_")
    for dotted in ROLE_EXTRA_PERMISSIONS.get(role, ()):
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    withheld = Q(pk__in=[])
    for dotted in ROLE_WITHHELD_PERMISSIONS.get(role, ()):
        app_label, codename = dotted.split(".")
        withheld |= Q(content_type__app_label=app_label, codename=codename)
    # History models carry their own view permission; they are not domain rows.
    return (
        Permission.objects.filter(query)
        .exclude(withheld)
        .exclude(content_type__model__startswith="historical")
    )


def roles_sync() -> None:
    """Create one group per role and give it exactly the role's permissions."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(role_permissions(role))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    # Each app's permissions appear in its own post_migrate; syncing after every app
    # (nine small groups) keeps the groups complete whichever app migrated last.
    if sender.name.startswith("outpost."):
        roles_sync()
