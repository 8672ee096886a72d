"""The database itself refuses the states the issue rules out."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outpost.observation.models import ObservationPlan, ObservationPolicy, RoomStay
from outpost.observation.tests.factories import (
    SCOPED_FACTORIES,
    EpisodeFactory,
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
    episode_in,
)


def test_default_plans_and_policy_come_with_the_migrations(db):
    days = dict(ObservationPlan.objects.filter(category="").values_list("kind", "days"))
    assert days == {"centralized": 14, "home_isolation": 14, "home_monitoring": 7}
    policy = ObservationPolicy.current()
    assert str(policy.fever_threshold) == "37.3"
    assert policy.check_in_times == ["08:00", "18:00"]


def test_every_scoped_factory_makes_a_row_in_the_grid(district):
    for model, make in SCOPED_FACTORIES.items():
        row = make(district.grid_a1)
        assert model.objects.filter(pk=row.pk).exists()


def test_a_room_is_never_given_to_two_people_at_once(district, officer_a):
    site = IsolationSiteFactory(unit=district.station)
    room = RoomFactory(site=site)
    first = centralized_episode_in(district.grid_a1, site=site)
    second = centralized_episode_in(district.grid_a1, site=site)
    now = timezone.now()
    RoomStay.objects.create(episode=first, room=room, checked_in_at=now, checked_in_by=officer_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomStay.objects.create(
            episode=second, room=room, checked_in_at=now, checked_in_by=officer_a
        )


def test_an_episode_cannot_end_before_it_starts(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        episode_in(
            district.grid_a1,
            start_date=datetime.date(2020, 2, 10),
            planned_end_date=datetime.date(2020, 2, 9),
        )


def test_a_key_person_has_one_open_episode(district):
    episode = episode_in(district.grid_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory(key_person=episode.key_person)
