"""Who sees which enterprise: staff their unit subtree, a liaison its own enterprise only."""

import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.models import Enterprise, EnterpriseContact
from outpost.enterprises.scoping import (
    enterprise_of_liaison,
    enterprises_for,
    scope_to_enterprise,
)
from outpost.enterprises.tests.factories import (
    EnterpriseContactFactory,
    EnterpriseFactory,
    liaison_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises(district):
    """Two enterprises in community A's grid (A1, A2) and one in community B's (B)."""
    return {
        "A1": EnterpriseFactory(unit=district.grid_a1),
        "A2": EnterpriseFactory(unit=district.grid_a1),
        "B": EnterpriseFactory(unit=district.grid_b1),
    }


def test_an_officer_sees_the_enterprises_of_the_community(officer_a, enterprises):
    assert set(enterprises_for(officer_a)) == {enterprises["A1"], enterprises["A2"]}


def test_a_liaison_sees_only_its_own_enterprise(enterprises):
    liaison = liaison_of(enterprises["A1"])
    assert enterprise_of_liaison(liaison) == enterprises["A1"]
    assert list(enterprises_for(liaison)) == [enterprises["A1"]]


def test_a_liaison_sees_only_its_own_enterprises_contacts(enterprises):
    own = EnterpriseContactFactory(enterprise=enterprises["A1"])
    EnterpriseContactFactory(enterprise=enterprises["A2"])
    liaison = liaison_of(enterprises["A1"])
    assert list(EnterpriseContact.objects.visible_to(liaison)) == [own]


def test_a_liaison_not_bound_to_an_enterprise_sees_none(district, enterprises):
    unbound = staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a)
    assert enterprise_of_liaison(unbound) is None
    assert not enterprises_for(unbound).exists()
    assert not EnterpriseContact.objects.visible_to(unbound).exists()


def test_a_grid_worker_sees_no_enterprise(grid_worker_a1, enterprises):
    assert not enterprises_for(grid_worker_a1).exists()


def test_scope_to_enterprise_follows_a_field_path(officer_a, enterprises):
    contacts = [EnterpriseContactFactory(enterprise=e) for e in enterprises.values()]
    liaison = liaison_of(enterprises["A2"])
    everything = EnterpriseContact.objects.all()
    assert set(scope_to_enterprise(everything, officer_a)) == set(contacts[:2])
    assert list(scope_to_enterprise(everything, liaison)) == [contacts[1]]
    enterprises_only = Enterprise.objects.all()
    assert list(scope_to_enterprise(enterprises_only, liaison, field="pk")) == [enterprises["A2"]]
