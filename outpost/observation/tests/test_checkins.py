"""Recording check-ins: what a temperature may look like, which episodes take one, and the
fever alert a reading raises at once."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import AlertKind, CheckInSource, Symptom
from outpost.observation.models import Alert, CheckIn, ObservationPolicy
from outpost.observation.services.checkins import check_in_record, temperature_parse
from outpost.observation.tests.factories import episode_in

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2020, 2, 10, 8, 0, tzinfo=SHANGHAI)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

readings = st.integers(min_value=340, max_value=430).map(lambda tenths: Decimal(tenths) / 10)


@given(reading=readings)
def test_any_plausible_reading_is_accepted_however_it_is_written(reading):
    text = f"{reading:.1f}"
    assert temperature_parse(text) == reading
    assert temperature_parse(text.replace(".", ",")) == reading
    assert temperature_parse(text.translate(FULL_WIDTH)) == reading
    assert temperature_parse(f"{text}℃") == reading
    assert temperature_parse(float(text)) == reading


@given(tenths=st.integers(min_value=0, max_value=2000).filter(lambda n: not 340 <= n <= 430))
def test_a_reading_outside_the_plausible_range_is_refused(tenths):
    with pytest.raises(ValidationError) as caught:
        temperature_parse(f"{Decimal(tenths) / 10:.1f}")
    assert list(caught.value.message_dict) == ["temperature"]


@given(text=st.text().filter(lambda t: not any(c.isdigit() for c in t)))
def test_a_reading_that_is_no_number_is_refused(text):
    with pytest.raises(ValidationError):
        temperature_parse(text)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value", [3.0, "44.0", "三十七", "", None, "37.25", True])
def test_the_refusal_names_the_temperature_and_the_range(value):
    with pytest.raises(ValidationError) as caught:
        temperature_parse(value)
    (message,) = caught.value.message_dict["temperature"]
    assert "temperature" in message and "34.0" in message and "43.0" in message


def _episode(district):
    return episode_in(
        district.grid_a1,
        start_date=datetime.date(2020, 2, 9),
        planned_end_date=datetime.date(2020, 2, 22),
    )


def _record(episode, user, temperature, **values):
    values = {"source": CheckInSource.STAFF, "acting_user": user, "now": NOW, **values}
    return check_in_record(episode=episode, temperature=temperature, **values)


def test_staff_record_a_check_in_taken_now(district, grid_worker_a1):
    episode = _episode(district)
    _check_in, created = _record(episode, grid_worker_a1, "36,8", symptoms=[Symptom.COUGH])
    assert created
    stored = CheckIn.objects.get()
    assert (stored.temperature, stored.symptoms, stored.taken_at) == (
        Decimal("36.8"),
        ["cough"],
        NOW,
    )
    assert stored.recorded_by == grid_worker_a1
    assert stored.history.get().history_user == grid_worker_a1


def test_a_reading_just_below_the_threshold_raises_no_alert(district, grid_worker_a1):
    _record(_episode(district), grid_worker_a1, "37.2")
    assert not Alert.objects.exists()


def test_a_reading_at_the_threshold_raises_a_fever_alert(district, grid_worker_a1):
    check_in, _created = _record(_episode(district), grid_worker_a1, "37.3")
    alert = Alert.objects.get()
    assert (alert.kind, alert.check_in, alert.raised_at) == (AlertKind.FEVER, check_in, NOW)


def test_the_threshold_comes_from_the_policy(district, grid_worker_a1):
    policy = ObservationPolicy.current()
    policy.fever_threshold = Decimal("37.5")
    policy.save()
    _record(_episode(district), grid_worker_a1, "37.3")
    assert not Alert.objects.exists()


def test_a_red_flag_symptom_raises_an_alert_at_a_normal_temperature(district, grid_worker_a1):
    _record(_episode(district), grid_worker_a1, "36.5", symptoms=[Symptom.SHORTNESS_OF_BREATH])
    assert Alert.objects.get().kind == AlertKind.FEVER


def test_an_ordinary_symptom_at_a_normal_temperature_raises_nothing(district, grid_worker_a1):
    _record(_episode(district), grid_worker_a1, "36.5", symptoms=[Symptom.COUGH])
    assert not Alert.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_check_in_for_an_ended_episode_is_refused(district, grid_worker_a1):
    episode = _episode(district)
    episode.status, episode.ended_on, episode.end_reason = "ended", NOW.date(), "completed"
    episode.save()
    with pytest.raises(ValidationError) as caught:
        _record(episode, grid_worker_a1, "36.5")
    assert caught.value.message_dict == {"episode": ["This observation has ended."]}
    assert not CheckIn.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_check_in_taken_in_the_future_is_refused(district, grid_worker_a1):
    with pytest.raises(ValidationError) as caught:
        _record(
            _episode(district), grid_worker_a1, "36.5", taken_at=NOW + datetime.timedelta(hours=1)
        )
    assert caught.value.message_dict == {"taken_at": ["The time taken cannot be in the future."]}


def test_a_check_in_taken_before_the_episode_started_is_refused(district, grid_worker_a1):
    with pytest.raises(ValidationError) as caught:
        _record(
            _episode(district), grid_worker_a1, "36.5", taken_at=NOW - datetime.timedelta(days=2)
        )
    assert list(caught.value.message_dict) == ["taken_at"]


def test_an_unknown_symptom_is_refused(district, grid_worker_a1):
    with pytest.raises(ValidationError) as caught:
        _record(_episode(district), grid_worker_a1, "36.5", symptoms=["headache"])
    assert list(caught.value.message_dict) == ["symptoms"]


def test_a_replayed_form_stores_one_check_in(district):
    episode = _episode(district)
    first, created = check_in_record(
        episode=episode,
        temperature="38.0",
        source=CheckInSource.SELF_REPORT,
        form_nonce="n-1",
        now=NOW,
    )
    again, created_again = check_in_record(
        episode=episode,
        temperature="38.0",
        source=CheckInSource.SELF_REPORT,
        form_nonce="n-1",
        now=NOW + datetime.timedelta(seconds=3),
    )
    assert (created, created_again, again) == (True, False, first)
    assert CheckIn.objects.count() == 1
    assert Alert.objects.count() == 1


def test_staff_outside_the_episode_jurisdiction_cannot_record(district):
    outsider = staff_user(role=Role.GRID_WORKER, unit=district.grid_b1)
    with pytest.raises(PermissionDenied):
        _record(_episode(district), outsider, "36.5")
    assert not CheckIn.objects.exists()


def test_a_form_number_of_another_episode_is_refused(district):
    first, second = _episode(district), _episode(district)
    values = {"temperature": "36.5", "source": CheckInSource.SELF_REPORT, "now": NOW}
    check_in_record(episode=first, form_nonce="n-2", **values)
    with pytest.raises(ValidationError) as caught:
        check_in_record(episode=second, form_nonce="n-2", **values)
    assert list(caught.value.message_dict) == ["form_nonce"]
    assert not second.check_ins.exists()
