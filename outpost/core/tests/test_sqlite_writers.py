"""The writers of one process take their turns at SQLite's write lock first come, first
served (`outpost.core.backends.sqlite3`), instead of retrying in SQLite's busy handler."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from outpost.core.backends.sqlite3.base import WriterLine, writer_line
from outpost.core.models import RateCounter

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")


def _wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_the_line_hands_the_lock_to_the_thread_that_waited_longest():
    line = WriterLine()
    assert line.acquire(1)
    order = []

    def writer(n):
        assert line.acquire(10)
        order.append(n)
        line.release()

    threads = []
    for n in range(5):
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        _wait_until(lambda n=n: line.waiting == n + 1)
    line.release()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4]


def test_a_wait_that_runs_out_leaves_the_line():
    line = WriterLine()
    assert line.acquire(1)
    assert not line.acquire(0.05)
    assert line.waiting == 0
    line.release()
    assert line.acquire(0)


def _counter(key: str) -> None:
    RateCounter.objects.create(
        key=key, window_start="2020-01-28T00:00Z", expires_at="2020-01-28T00:10Z"
    )


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_transactions_of_threads_commit_in_the_order_they_began():
    line = writer_line(str(connection.settings_dict["NAME"]))
    holding, release = threading.Event(), threading.Event()
    committed = []

    def first():
        try:
            with transaction.atomic():
                _counter("first")
                holding.set()
                release.wait(10)
            committed.append("first")
        finally:
            connections.close_all()

    def writer(n):
        try:
            with transaction.atomic():
                with transaction.atomic():  # a savepoint: no second turn
                    _counter(f"w{n}")
            committed.append(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert holding.wait(10)
    for n in range(4):
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        _wait_until(lambda n=n: line.waiting == n + 1)
    release.set()
    for thread in threads:
        thread.join(20)

    assert committed == ["first", 0, 1, 2, 3]
    assert RateCounter.objects.count() == 5
    assert line.acquire(0)  # every turn was given back
    line.release()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_fails_gives_its_turn_to_the_next():
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            _counter("undone")
            1 / 0  # noqa: B018
    done = []

    def writer():
        try:
            with transaction.atomic():
                _counter("next")
            done.append(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(5)
    assert done == [True]
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["next"]


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_writer_waits_no_longer_than_the_busy_timeout(monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    release = threading.Event()
    held = threading.Event()

    def holder():
        try:
            with transaction.atomic():
                _counter("held")
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            with transaction.atomic():
                _counter("late")
        assert time.monotonic() - started < 2
    finally:
        release.set()
        thread.join(10)
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["held"]
