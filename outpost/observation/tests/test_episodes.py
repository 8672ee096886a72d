"""Starting, extending, ending and chaining observation episodes, and the release that
follows the planned end."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus
from outpost.keypersons.tests.factories import (
    TeamMemberFactory,
    key_person_in,
    managed_key_person_in,
)
from outpost.notify.models import InboxMessage
from outpost.observation.choices import EndReason, EpisodeKind, EpisodeStatus, RoomStatus
from outpost.observation.models import Episode, EpisodeExtension, ObservationPlan, RoomStay
from outpost.observation.selectors import episode_timeline, open_stay
from outpost.observation.services.episodes import (
    episode_continue,
    episode_end,
    episode_extend,
    episode_release_confirm,
    episode_start,
    episodes_release_due_mark,
    planned_days,
)
from outpost.observation.services.sites import stay_check_in
from outpost.observation.tests.factories import (
    EpisodeFactory,
    IsolationSiteFactory,
    RoomFactory,
    episode_in,
)

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.timedelta(days=1)


def _messages(exc: ValidationError, field: str) -> list[str]:
    return exc.message_dict[field]


@pytest.fixture
def site(district):
    return IsolationSiteFactory(unit=district.community_a)


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


# ---------------------------------------------------------------------------- planned end


def test_an_episode_lasts_14_days_by_default_the_start_being_day_1(district, officer_a):
    start = timezone.localdate()
    episode = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(district.grid_a1),
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=start,
    )
    assert episode.planned_end_date == start + 13 * DAY
    assert episode.day_number(episode.planned_end_date) == 14
    assert episode.check_in_times == ["08:00", "18:00"]
    assert episode.unit == district.grid_a1
    assert episode.status == EpisodeStatus.ACTIVE


def test_home_monitoring_lasts_7_days(district, officer_a):
    start = timezone.localdate()
    episode = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(district.grid_a1),
        kind=EpisodeKind.HOME_MONITORING,
        start_date=start,
    )
    assert episode.planned_end_date == start + 6 * DAY


def test_a_category_plan_overrides_the_plan_for_every_category(district, officer_a):
    ObservationPlan.objects.create(
        category=KeyPersonCategory.CLOSE_CONTACT, kind=EpisodeKind.HOME_ISOLATION, days=21
    )
    assert planned_days(category=KeyPersonCategory.CLOSE_CONTACT, kind="home_isolation") == 21
    assert planned_days(category=KeyPersonCategory.OTHER, kind="home_isolation") == 14
    start = timezone.localdate()
    episode = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(
            district.grid_a1, category=KeyPersonCategory.CLOSE_CONTACT
        ),
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=start,
    )
    assert episode.planned_end_date == start + 20 * DAY


def test_without_any_plan_an_episode_lasts_14_days(db):
    ObservationPlan.objects.all().delete()
    assert planned_days(category="other", kind="home_monitoring") == 14


def test_a_given_planned_end_and_check_in_times_are_kept(district, officer_a):
    start = timezone.localdate()
    episode = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(district.grid_a1),
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=start,
        planned_end_date=start + 9 * DAY,
        check_in_times=["18:00", "8:00", "12:00"],
    )
    assert episode.planned_end_date == start + 9 * DAY
    assert episode.check_in_times == ["08:00", "12:00", "18:00"]


# ---------------------------------------------------------------------------- refusals at start


def test_centralized_isolation_needs_a_site(district, officer_a):
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=managed_key_person_in(district.grid_a1),
            kind=EpisodeKind.CENTRALIZED,
            start_date=timezone.localdate(),
        )
    assert _messages(exc.value, "site") == ["Choose the isolation site."]
    assert not Episode.objects.exists()


def test_a_site_must_serve_the_persons_area(district, officer_a):
    other_site = IsolationSiteFactory(unit=district.community_b)
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=managed_key_person_in(district.grid_a1),
            kind=EpisodeKind.CENTRALIZED,
            start_date=timezone.localdate(),
            site=other_site,
        )
    assert "site" in exc.value.message_dict


def test_a_second_open_episode_of_the_same_person_is_refused(district, officer_a):
    first = episode_in(district.grid_a1)
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=first.key_person,
            kind=EpisodeKind.HOME_MONITORING,
            start_date=timezone.localdate(),
        )
    assert _messages(exc.value, "key_person") == ["This key person is already under observation."]
    assert Episode.objects.count() == 1


def test_a_closed_key_person_is_not_put_under_observation(district, officer_a):
    key_person = key_person_in(
        district.grid_a1,
        status=KeyPersonStatus.RELEASED,
        closed_on=timezone.localdate(),
        closed_reason="期满解除",
    )
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=key_person,
            kind=EpisodeKind.HOME_ISOLATION,
            start_date=timezone.localdate(),
        )
    assert _messages(exc.value, "key_person") == ["This key person is closed."]


def test_a_planned_end_before_the_start_is_refused_naming_the_field(district, officer_a):
    start = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=managed_key_person_in(district.grid_a1),
            kind=EpisodeKind.HOME_ISOLATION,
            start_date=start,
            planned_end_date=start - DAY,
        )
    assert _messages(exc.value, "planned_end_date") == [
        "The planned end cannot be before the start."
    ]
    assert not Episode.objects.exists()


def test_a_check_in_time_that_is_no_time_is_refused(district, officer_a):
    with pytest.raises(ValidationError) as exc:
        episode_start(
            acting_user=officer_a,
            key_person=managed_key_person_in(district.grid_a1),
            kind=EpisodeKind.HOME_ISOLATION,
            start_date=timezone.localdate(),
            check_in_times=["08:00", "晚上"],
        )
    assert _messages(exc.value, "check_in_times") == ["晚上 is not a time of day such as 08:00."]


# ---------------------------------------------------------------------------- key person status


def test_an_identified_key_person_comes_under_management_when_observed(district, officer_a):
    key_person = key_person_in(district.grid_a1, identified_on=timezone.localdate() - 2 * DAY)
    assert key_person.status == KeyPersonStatus.IDENTIFIED
    episode_start(
        acting_user=officer_a,
        key_person=key_person,
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=timezone.localdate() - DAY,
    )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.UNDER_MANAGEMENT
    assert key_person.managed_from == timezone.localdate() - DAY
    assert key_person.history.first().history_user == officer_a


def test_the_start_is_audited(district, officer_a):
    episode = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(district.grid_a1),
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=timezone.localdate(),
    )
    record = episode.history.get()
    assert record.history_type == "+"
    assert record.history_user == officer_a


# ---------------------------------------------------------------------------- extend


def test_an_extension_needs_a_reason(district, officer_a):
    episode = episode_in(district.grid_a1)
    with pytest.raises(ValidationError) as exc:
        episode_extend(
            acting_user=officer_a,
            episode=episode,
            new_end_date=episode.planned_end_date + 7 * DAY,
            reason="  ",
        )
    assert _messages(exc.value, "reason") == ["State the reason for the extension."]
    assert not EpisodeExtension.objects.exists()


def test_an_extension_needs_a_later_date(district, officer_a):
    episode = episode_in(district.grid_a1)
    with pytest.raises(ValidationError) as exc:
        episode_extend(
            acting_user=officer_a,
            episode=episode,
            new_end_date=episode.planned_end_date,
            reason="复检阳性",
        )
    assert _messages(exc.value, "new_end_date") == [
        f"Choose a date after the current planned end ({episode.planned_end_date})."
    ]


def test_an_extension_moves_the_planned_end_and_keeps_the_reason(district, officer_a):
    episode = episode_in(district.grid_a1)
    old_end = episode.planned_end_date
    episode = episode_extend(
        acting_user=officer_a,
        episode=episode,
        new_end_date=old_end + 7 * DAY,
        reason="同住人确诊",
    )
    assert episode.planned_end_date == old_end + 7 * DAY
    extension = episode.extensions.get()
    assert (extension.previous_end_date, extension.new_end_date) == (old_end, old_end + 7 * DAY)
    assert extension.reason == "同住人确诊"
    assert extension.extended_by == officer_a
    assert episode.history.first().history_change_reason == "同住人确诊"


def test_extending_an_episode_due_for_release_puts_it_under_observation_again(district, officer_a):
    today = timezone.localdate()
    episode = episode_in(
        district.grid_a1,
        start_date=today - 14 * DAY,
        planned_end_date=today - DAY,
        status=EpisodeStatus.RELEASE_DUE,
    )
    episode = episode_extend(
        acting_user=officer_a, episode=episode, new_end_date=today + 3 * DAY, reason="复检"
    )
    assert episode.status == EpisodeStatus.ACTIVE


# ---------------------------------------------------------------------------- end


@pytest.mark.parametrize("reason", EndReason.values)
def test_an_episode_ends_with_each_reason(district, officer_a, reason):
    episode = episode_in(district.grid_a1, start_date=timezone.localdate() - 3 * DAY)
    episode = episode_end(acting_user=officer_a, episode=episode, reason=reason, note=" 备注 ")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ENDED
    assert episode.end_reason == reason
    assert episode.ended_on == timezone.localdate()
    assert episode.end_note == "备注"


def test_an_end_needs_a_known_reason(district, officer_a):
    episode = episode_in(district.grid_a1)
    with pytest.raises(ValidationError) as exc:
        episode_end(acting_user=officer_a, episode=episode, reason="")
    assert _messages(exc.value, "reason") == ["Choose why the observation ends."]


def test_an_end_before_the_start_is_refused_naming_the_field(district, officer_a):
    start = timezone.localdate() - 2 * DAY
    episode = episode_in(district.grid_a1, start_date=start)
    with pytest.raises(ValidationError) as exc:
        episode_end(
            acting_user=officer_a,
            episode=episode,
            reason=EndReason.HOSPITAL,
            ended_on=start - DAY,
        )
    assert _messages(exc.value, "ended_on") == [f"The end cannot be before the start ({start})."]
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_an_ended_episode_is_not_ended_again(district, officer_a):
    episode = episode_in(district.grid_a1)
    episode_end(acting_user=officer_a, episode=episode, reason=EndReason.MOVED)
    with pytest.raises(ValidationError) as exc:
        episode_end(acting_user=officer_a, episode=episode, reason=EndReason.OTHER)
    assert _messages(exc.value, "episode") == ["This observation has ended."]


def test_ending_checks_the_person_out_of_their_room_which_is_then_cleaned(
    district, officer_a, site
):
    room = RoomFactory(site=site)
    episode = episode_in(district.grid_a1, kind=EpisodeKind.CENTRALIZED, site=site)
    stay_check_in(acting_user=officer_a, episode=episode, room=room)
    episode_end(acting_user=officer_a, episode=episode, reason=EndReason.HOSPITAL)
    assert open_stay(episode) is None
    stay = RoomStay.objects.get(episode=episode)
    assert stay.checked_out_by == officer_a
    room.refresh_from_db()
    assert room.status == RoomStatus.CLEANING


# ---------------------------------------------------------------------------- continue


def test_centralized_isolation_continues_as_home_monitoring_on_the_timeline(
    district, officer_a, site
):
    today = timezone.localdate()
    first = episode_start(
        acting_user=officer_a,
        key_person=managed_key_person_in(district.grid_a1),
        kind=EpisodeKind.CENTRALIZED,
        site=site,
        start_date=today - 14 * DAY,
    )
    room = RoomFactory(site=site)
    stay_check_in(acting_user=officer_a, episode=first, room=room)

    second = episode_continue(
        acting_user=officer_a, episode=first, kind=EpisodeKind.HOME_MONITORING
    )

    first.refresh_from_db()
    assert (first.status, first.end_reason, first.ended_on) == (
        EpisodeStatus.ENDED,
        EndReason.COMPLETED,
        today,
    )
    assert second.previous == first
    assert (second.kind, second.start_date, second.planned_end_date) == (
        EpisodeKind.HOME_MONITORING,
        today,
        today + 6 * DAY,
    )
    assert second.site is None
    assert [episode.pk for episode in episode_timeline(first.key_person)] == [
        first.pk,
        second.pk,
    ]
    room.refresh_from_db()
    assert room.status == RoomStatus.CLEANING


def test_a_continuation_that_fails_leaves_the_first_episode_open(district, officer_a, site):
    first = episode_in(district.grid_a1, kind=EpisodeKind.HOME_ISOLATION)
    with pytest.raises(ValidationError) as exc:
        episode_continue(acting_user=officer_a, episode=first, kind=EpisodeKind.CENTRALIZED)
    assert "site" in exc.value.message_dict
    first.refresh_from_db()
    assert first.status == EpisodeStatus.ACTIVE
    assert Episode.objects.count() == 1


def test_a_continuation_cannot_start_before_the_first_episode(district, officer_a):
    start = timezone.localdate() - 3 * DAY
    first = episode_in(district.grid_a1, start_date=start)
    with pytest.raises(ValidationError) as exc:
        episode_continue(
            acting_user=officer_a,
            episode=first,
            kind=EpisodeKind.HOME_MONITORING,
            start_date=start - DAY,
        )
    assert "start_date" in exc.value.message_dict


# ---------------------------------------------------------------------------- release


def _due_episode_with_team(district, officer_a):
    today = timezone.localdate()
    key_person = managed_key_person_in(district.grid_a1, days=20)
    TeamMemberFactory(key_person=key_person, worker=officer_a)
    return EpisodeFactory(
        key_person=key_person, start_date=today - 14 * DAY, planned_end_date=today - DAY
    )


def test_episodes_past_their_planned_end_become_due_and_the_team_is_told_once(district, officer_a):
    due = _due_episode_with_team(district, officer_a)
    running = episode_in(district.grid_a1)  # ends in 13 days
    now = timezone.now()

    marked = episodes_release_due_mark(now=now)

    assert [episode.pk for episode in marked] == [due.pk]
    due.refresh_from_db()
    running.refresh_from_db()
    assert due.status == EpisodeStatus.RELEASE_DUE
    assert running.status == EpisodeStatus.ACTIVE
    message = InboxMessage.objects.get(recipient=officer_a)
    assert message.kind == "reminder"
    assert "confirm the release" in message.subject
    assert message.url == due.get_absolute_url()

    assert episodes_release_due_mark(now=now) == []
    assert InboxMessage.objects.filter(recipient=officer_a).count() == 1


def test_an_episode_is_not_due_on_its_last_planned_day(district):
    today = timezone.localdate()
    episode = episode_in(district.grid_a1, start_date=today - 13 * DAY, planned_end_date=today)
    assert episodes_release_due_mark(now=timezone.now()) == []
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_confirming_the_release_ends_the_episode_as_completed(district, officer_a):
    due = _due_episode_with_team(district, officer_a)
    episodes_release_due_mark(now=timezone.now())
    episode = episode_release_confirm(acting_user=officer_a, episode=due)
    assert (episode.status, episode.end_reason, episode.ended_on) == (
        EpisodeStatus.ENDED,
        EndReason.COMPLETED,
        timezone.localdate(),
    )


# ---------------------------------------------------------------------------- scope


def test_an_officer_of_another_community_cannot_start_an_episode(district, officer_b):
    key_person = managed_key_person_in(district.grid_a1)
    with pytest.raises(Http404):
        episode_start(
            acting_user=officer_b,
            key_person=key_person,
            kind=EpisodeKind.HOME_ISOLATION,
            start_date=timezone.localdate(),
        )
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda user, episode: episode_extend(
            acting_user=user,
            episode=episode,
            new_end_date=episode.planned_end_date + DAY,
            reason="x",
        ),
        lambda user, episode: episode_end(
            acting_user=user, episode=episode, reason=EndReason.OTHER
        ),
        lambda user, episode: episode_continue(
            acting_user=user, episode=episode, kind=EpisodeKind.HOME_MONITORING
        ),
        lambda user, episode: episode_release_confirm(acting_user=user, episode=episode),
    ],
    ids=["extend", "end", "continue", "release"],
)
def test_an_officer_of_another_community_cannot_change_an_episode(district, officer_b, change):
    episode = episode_in(district.grid_a1)
    history = episode.history.count()
    with pytest.raises((Http404, PermissionDenied)):
        change(officer_b, episode)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    assert episode.history.count() == history
    assert not EpisodeExtension.objects.exists()
    assert Episode.objects.count() == 1


def test_a_read_only_role_cannot_start_an_episode(district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    with pytest.raises(PermissionDenied):
        episode_start(
            acting_user=leader,
            key_person=managed_key_person_in(district.grid_a1),
            kind=EpisodeKind.HOME_ISOLATION,
            start_date=timezone.localdate(),
        )
