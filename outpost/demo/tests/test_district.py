"""The demo district (`outpost demo`, the demo app's command): shape, valid data,
determinism and the command."""

from __future__ import annotations

import io
import stat
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from outpost.core.choices import Role, UnitKind
from outpost.core.models import Organisation, StaffProfile, Unit
from outpost.core.validators import id_birth_date, id_sex, validate_id_number, validate_mobile
from outpost.demo.district import REFERENCE_DATE, build_demo_district, plan_demo_district
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType
from outpost.registry.models import Household, Landlord, RentalProperty, Resident

SCALE = 0.01
PASSWORD = "demo-test-password-1"
HOUSEHOLDS = round(67_010 * SCALE)
RESIDENTS = round(116_782 * SCALE)


@pytest.fixture
def demo(db):
    return build_demo_district(scale=SCALE, seed=2020, password=PASSWORD)


def run_demo(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


# ---------------------------------------------------------------------------- shape


def test_counts_follow_the_scale(demo):
    assert Household.objects.count() == demo.households == HOUSEHOLDS
    assert Resident.objects.count() == demo.residents == RESIDENTS
    assert Landlord.objects.filter(is_large=True).count() == demo.large_landlords == 4
    assert RentalProperty.objects.count() == demo.rental_properties


def test_tree_has_one_station_ten_offices_and_235_grids(demo):
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds == {
        UnitKind.BRANCH: 1,
        UnitKind.STATION: 1,
        UnitKind.POLICE_OFFICE: 10,
        UnitKind.COMMUNITY: 17,
        UnitKind.GRID: 235,
    }
    assert (demo.offices, demo.communities, demo.grids) == (10, 17, 235)


def test_unit_paths_are_parent_path_plus_code(demo):
    for unit in Unit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else ""
        assert "/" not in unit.code
        assert unit.path == f"{parent_path}{unit.code}/"
        assert unit.depth == (unit.parent.depth + 1 if unit.parent else 0)


def test_every_grid_has_exactly_one_grid_worker(demo):
    grids = Unit.objects.filter(kind=UnitKind.GRID).annotate(
        workers=Count("staff", filter=Q(staff__user__groups__name=Role.GRID_WORKER))
    )
    assert sorted({grid.workers for grid in grids}) == [1]
    usernames = StaffProfile.objects.filter(unit__kind=UnitKind.GRID).values_list(
        "user__username", flat=True
    )
    assert sorted(usernames) == [f"grid{n:03d}" for n in range(1, 236)]


def test_there_is_a_login_for_every_role(demo):
    roles = set(User.objects.values_list("groups__name", flat=True))
    assert roles == set(Role.values)
    assert {login.role for login in demo.logins} == set(Role.values)
    assert len(demo.logins) == User.objects.count() == StaffProfile.objects.count()


def test_every_login_shares_the_password_and_admin_is_staff_not_superuser(demo):
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert check_password(PASSWORD, hashes.pop())
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exists()


def test_every_demo_login_is_known_to_have_the_demo_password(demo):
    from outpost.core.selectors import demo_password_usernames

    assert len(demo_password_usernames()) == User.objects.count()


def test_medics_and_liaison_belong_to_partner_organisations(demo):
    medics = StaffProfile.objects.filter(user__username__startswith="medic")
    assert medics.count() == Organisation.objects.filter(kind="health_centre").count() >= 2
    assert all(p.organisation.unit_id == p.unit_id for p in medics)
    liaison = StaffProfile.objects.get(user__username="liaison01")
    assert liaison.organisation.kind == "enterprise"
    assert liaison.unit_id == liaison.organisation.unit_id
    assert Organisation.objects.filter(kind="enterprise").count() == 6


def test_the_district_has_its_enterprises_and_liaison01_works_for_an_essential_one(demo):
    from outpost.enterprises.models import Enterprise, EnterpriseContact
    from outpost.enterprises.scoping import enterprise_of_liaison, enterprises_for
    from outpost.enterprises.validators import validate_credit_code

    assert demo.enterprises == Enterprise.objects.count() == 120
    assert Enterprise.objects.filter(is_essential=True).count() == 6
    assert all(
        validate_credit_code(c) == c
        for c in Enterprise.objects.values_list("credit_code", flat=True)
    )
    assert not Enterprise.objects.filter(contacts__isnull=True).exists()
    assert EnterpriseContact.objects.count() >= 120
    liaison = User.objects.get(username="liaison01")
    enterprise = enterprise_of_liaison(liaison)
    assert enterprise.is_essential
    assert enterprise.name == liaison.staff_profile.organisation.name
    assert list(enterprises_for(liaison)) == [enterprise]


# ---------------------------------------------------------------------------- residents


def test_resident_ids_are_valid_unique_and_agree_with_sex_and_birth_date(demo):
    rows = list(Resident.objects.values_list("id_number", "sex", "birth_date", "document_type"))
    ids = [row[0] for row in rows if row[0]]
    assert len(ids) == len(set(ids))
    for id_number, sex, birth_date, document_type in rows:
        if not id_number:
            assert document_type == DocumentType.PASSPORT
            continue
        assert validate_id_number(id_number) == id_number
        assert id_sex(id_number) == sex
        assert id_birth_date(id_number) == birth_date <= REFERENCE_DATE


def test_foreigners_carry_a_passport_and_no_resident_id(demo):
    foreigners = Resident.objects.filter(document_type=DocumentType.PASSPORT)
    assert foreigners.count() == demo.foreigners >= 1
    for resident in foreigners:
        assert resident.id_number == ""
        assert resident.document_number


def test_each_household_has_exactly_one_head(demo):
    heads = Household.objects.annotate(
        heads=Count("members", filter=Q(members__relation_to_head=RelationToHead.HEAD)),
        size=Count("members"),
    )
    assert {h.heads for h in heads} == {1}
    assert {h.size for h in heads} <= set(range(1, 7))


def test_children_are_younger_than_the_head_and_parents_older(demo):
    heads = {
        r.household_id: r for r in Resident.objects.filter(relation_to_head=RelationToHead.HEAD)
    }
    for resident in Resident.objects.exclude(relation_to_head=RelationToHead.HEAD):
        head = heads[resident.household_id]
        if resident.relation_to_head in (RelationToHead.CHILD, RelationToHead.GRANDCHILD):
            assert resident.birth_date > head.birth_date
        if resident.relation_to_head == RelationToHead.PARENT:
            assert resident.birth_date < head.birth_date


def test_household_phone_is_the_heads_and_phones_are_unique_mobiles(demo):
    phones = [p for p in Resident.objects.values_list("phone", flat=True) if p]
    assert len(phones) == len(set(phones))
    assert all(validate_mobile(p) == p for p in phones)
    for head in Resident.objects.filter(relation_to_head=RelationToHead.HEAD).select_related(
        "household"
    ):
        assert head.household.phone == head.phone
        assert head.unit_id == head.household.unit_id


def test_addresses_and_household_numbers_are_unique(demo):
    addresses = list(Household.objects.values_list("street", "building", "entrance", "room"))
    assert len(addresses) == len(set(addresses))
    assert Household.objects.filter(unit__kind=UnitKind.GRID).count() == HOUSEHOLDS


def test_rental_households_have_landlords_and_tenants(demo):
    rentals = Household.objects.filter(is_rental=True)
    assert rentals.count() == RentalProperty.objects.count() > 0
    assert not rentals.filter(rental_property__isnull=True).exists()
    assert not Household.objects.filter(is_rental=False, rental_property__isnull=False).exists()
    residence = set(
        Resident.objects.filter(household__is_rental=True).values_list("residence_type", flat=True)
    )
    assert residence <= {ResidenceType.TEMPORARY, ResidenceType.FLOATING}
    for landlord in Landlord.objects.filter(is_large=True).annotate(n=Count("properties")):
        assert 3 <= landlord.n <= 8


# ---------------------------------------------------------------------------- determinism


def first_residents(plan_or_queryset, n: int = 20) -> list[tuple[str, str]]:
    return [(r.name, r.id_number or r.document_number) for r in plan_or_queryset[:n]]


def test_the_same_seed_plans_the_same_district():
    first = plan_demo_district(scale=SCALE, seed=7)
    second = plan_demo_district(scale=SCALE, seed=7)
    assert first_residents(first.residents) == first_residents(second.residents)
    assert [s.display_name for s in first.staff] == [s.display_name for s in second.staff]
    assert first_residents(first.residents) != first_residents(
        plan_demo_district(scale=SCALE, seed=8).residents
    )


@pytest.mark.parametrize("build", [1, 2])
def test_two_builds_with_the_same_seed_write_the_same_residents(db, build):
    build_demo_district(scale=SCALE, seed=2020, password=PASSWORD)
    written = [
        (name, id_number or document_number)
        for name, id_number, document_number in Resident.objects.order_by("pk").values_list(
            "name", "id_number", "document_number"
        )[:20]
    ]
    expected = first_residents(plan_demo_district(scale=SCALE, seed=2020).residents)
    assert written == expected


# ---------------------------------------------------------------------------- command


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_command_builds_and_saves_the_logins_privately(var_dir):
    output = run_demo("--scale", str(SCALE), "--password", PASSWORD)
    assert Household.objects.count() == HOUSEHOLDS
    saved = var_dir / "demo-logins.txt"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = saved.read_text(encoding="utf-8")
    assert PASSWORD in text and "grid001 … grid235" in text
    assert output.count(PASSWORD) == 1


@pytest.mark.django_db
def test_command_generates_a_password_when_none_is_given(var_dir):
    run_demo("--scale", str(SCALE))
    text = (var_dir / "demo-logins.txt").read_text(encoding="utf-8")
    password = text.strip().splitlines()[-1].split()[-1]
    assert len(password) >= 10
    assert check_password(password, User.objects.get(username="leader").password)


@pytest.mark.django_db
def test_command_refuses_a_second_run(var_dir):
    run_demo("--scale", str(SCALE), "--password", PASSWORD)
    with pytest.raises(CommandError):
        run_demo("--scale", str(SCALE), "--password", PASSWORD)
    assert Household.objects.count() == HOUSEHOLDS


@pytest.mark.django_db
def test_command_if_empty_does_nothing_but_print_the_saved_logins(var_dir):
    run_demo("--scale", str(SCALE), "--password", PASSWORD)
    units, residents = Unit.objects.count(), Resident.objects.count()
    output = run_demo("--if-empty", "--scale", str(SCALE))
    assert (Unit.objects.count(), Resident.objects.count()) == (units, residents)
    assert PASSWORD in output and "grid001 … grid235" in output


@pytest.mark.django_db
def test_command_if_empty_builds_into_an_empty_database(var_dir):
    run_demo("--if-empty", "--scale", str(SCALE), "--password", PASSWORD)
    assert Unit.objects.filter(kind=UnitKind.GRID).count() == 235


@pytest.mark.django_db
def test_command_refuses_when_a_demo_username_is_taken(var_dir):
    User.objects.create_user(username="admin", password="x")
    with pytest.raises(CommandError, match="admin"):
        run_demo("--scale", str(SCALE), "--password", PASSWORD)
    assert not Unit.objects.exists()
