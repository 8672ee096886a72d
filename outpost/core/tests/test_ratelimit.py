"""Rate limits counted in the database (`outpost.core.ratelimit`): exact per key and
window, from any number of threads, and finished windows swept."""

import datetime
import threading

import pytest
from django.db import connections

from outpost.core import ratelimit
from outpost.core.models import RateCounter
from outpost.core.ratelimit import RateLimit, rate_limit_hit

LIMIT = RateLimit("test", hits=3, seconds=60)
NOON = datetime.datetime(2020, 1, 28, 12, 0, 5, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_a_key_is_refused_past_its_hits_until_the_next_window():
    answers = [rate_limit_hit(limit=LIMIT, key="a", now=NOON) for _ in range(5)]
    assert answers == [False, False, False, True, True]
    # Another key counts on its own; the next window starts again from zero.
    assert rate_limit_hit(limit=LIMIT, key="b", now=NOON) is False
    later = NOON + datetime.timedelta(seconds=60)
    assert rate_limit_hit(limit=LIMIT, key="a", now=later) is False
    windows = RateCounter.objects.order_by("window_start", "key")
    assert [(w.key, w.window_start.minute, w.hits) for w in windows] == [
        ("test:a", 0, 5),
        ("test:b", 0, 1),
        ("test:a", 1, 1),
    ]
    assert all(w.expires_at == w.window_start + datetime.timedelta(seconds=60) for w in windows)


@pytest.mark.django_db(transaction=True)
def test_the_first_hit_of_a_window_sweeps_the_finished_ones(monkeypatch):
    """After the counting transaction commits."""
    monkeypatch.setattr(ratelimit, "SWEEP_EVERY", 0.0)
    rate_limit_hit(limit=LIMIT, key="old", now=NOON)
    rate_limit_hit(limit=LIMIT, key="new", now=NOON + datetime.timedelta(minutes=5))
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["test:new"]


@pytest.mark.django_db(transaction=True)
def test_hits_from_many_threads_at_once_are_each_counted_once():
    """The count a request gets back is its own: with 8 threads hitting one key at once,
    exactly `hits` of them pass, whatever the database."""
    limit = RateLimit("burst", hits=20, seconds=600)
    start = threading.Barrier(8)
    refused = []

    def phone():
        start.wait()
        try:
            for _ in range(5):
                refused.append(rate_limit_hit(limit=limit, key="k", now=NOON))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=phone) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert refused.count(False) == 20 and refused.count(True) == 20
    assert RateCounter.objects.get(key="burst:k").hits == 40
