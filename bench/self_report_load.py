#!/usr/bin/env python
"""Load the public self-report page with a morning burst of check-ins over real HTTP.

    .venv/bin/python bench/self_report_load.py [--people 5000] [--reports 4] [--threads 16]
        [--server-threads 8] [--server-processes 1] [--alerts 5]
        [--url http://127.0.0.1:8765] [--keep]

Without --url it makes a fresh SQLite file in a temporary OUTPOST_VAR_DIR (or uses
DATABASE_URL, which must point at an empty database), migrates, and starts
`outpost serve` on 127.0.0.1:8765 (loopback only) with its task worker. With --url it
drives a server that is already running on the database the environment points at
(OUTPOST_VAR_DIR / DATABASE_URL), so the rows can be made and checked.

It makes `--people` home-isolation episodes, each with a self-report link (bulk, through
the ORM), then sends `--reports` check-ins per person in random order from a pool of
`--threads` clients, each one the way a phone does it: GET the form (CSRF cookie and the
form's one-time number), POST it. It prints the throughput (check-ins/s), the p50/p99
latency of the POSTs, and checks that every accepted check-in is stored exactly once
(a sample of forms is sent twice on purpose). Meanwhile `--alerts` people with a
four-on-one team report 38.1 °C and the time until their team's inbox message exists is
measured (target < 2 s).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from _district import PROJECT_DIR, fresh_var_dir, migrate, setup_django

PORT = 8765
ALERT_TARGET_S = 2.0
REPLAYS = 100
NONCE = re.compile(r'name="form_nonce" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=4, help="check-ins per person")
    parser.add_argument("--threads", type=int, default=16, help="concurrent clients")
    parser.add_argument("--server-threads", type=int, default=8, help="per server process")
    parser.add_argument(
        "--server-processes", type=int, default=1, help="outpost serve --processes (PostgreSQL)"
    )
    parser.add_argument("--alerts", type=int, default=5, help="fever reports timed")
    parser.add_argument("--flood", type=int, default=1000, help="reports through one link")
    parser.add_argument("--url", help="a running server on the database of the environment")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()

    if args.url:
        sys.path.insert(0, str(PROJECT_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
        setup_django()
        return run(args, args.url.rstrip("/"))
    with fresh_var_dir(keep=args.keep, prefix="outpost-selfreport-") as var_dir:
        setup_django()
        from outpost.core.models import Unit

        migrate()
        if "DATABASE_URL" in os.environ and Unit.objects.exists():
            print("refusing: DATABASE_URL points at a database that is not empty", file=sys.stderr)
            return 2
        with served(var_dir, args.server_threads, args.server_processes) as url:
            return run(args, url)


@contextmanager
def served(var_dir: Path, threads: int, processes: int):
    """`outpost serve` on loopback, in its own process group, stopped (with its worker)
    by Ctrl-C the way a person stops it."""
    log = (var_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [
            # `-m` from the project folder: the server runs this checkout's code (the
            # installed `outpost` script would import the one the virtualenv points at).
            sys.executable,
            "-m",
            "outpost.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--threads",
            str(threads),
            "--processes",
            str(processes),
        ],
        env=os.environ.copy(),
        cwd=PROJECT_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                connection.request("GET", "/accounts/login/")
                connection.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"outpost serve did not start; see {log.name}") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def make_people(count: int, alerts: int, seed: int):
    """`count` + `alerts` open episodes with a link each; the `alerts` ones have a team
    member (a police officer of their community). Returns (people, alert_people, officer),
    a person being (episode id, token)."""
    import datetime

    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from outpost.core.choices import Role, UnitKind
    from outpost.core.database import planner_statistics_refresh
    from outpost.core.tests.factories import UnitFactory, staff_user
    from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, SourceType
    from outpost.keypersons.models import KeyPerson, TeamMember, TeamRole
    from outpost.observation.choices import EpisodeKind
    from outpost.observation.models import Episode, SelfReportLink

    rng = random.Random(seed)
    if not Group.objects.filter(name=Role.POLICE_OFFICER).exists():
        raise RuntimeError("the roles are missing: migrate first")
    with transaction.atomic():
        station = UnitFactory(code="BENCH-S", name="基准派出所", kind=UnitKind.STATION)
        office = UnitFactory(
            code="BENCH-O", name="基准警务室", kind=UnitKind.POLICE_OFFICE, parent=station
        )
        community = UnitFactory(
            code="BENCH-C", name="基准社区", kind=UnitKind.COMMUNITY, parent=office
        )
        grids = [
            UnitFactory(code=f"BENCH-G{i}", name=f"基准网格{i}", parent=community)
            for i in range(10)
        ]
        officer = staff_user(role=Role.POLICE_OFFICER, unit=community, username="bench-officer")
        today = timezone.localdate()
        total = count + alerts
        surnames = "王李张刘陈杨赵黄周吴"
        key_persons = KeyPerson.objects.bulk_create(
            KeyPerson(
                unit=grids[i % len(grids)],
                name=rng.choice(surnames) + f"测{i}",
                phone=f"139{i:08d}",
                category=KeyPersonCategory.RISK_REGION_ARRIVAL,
                source_type=SourceType.MANUAL,
                status=KeyPersonStatus.UNDER_MANAGEMENT,
                managed_from=today,
                created_by=officer,
            )
            for i in range(total)
        )
        episodes = Episode.objects.bulk_create(
            Episode(
                unit_id=kp.unit_id,
                key_person=kp,
                kind=EpisodeKind.HOME_ISOLATION,
                start_date=today,
                planned_end_date=today + datetime.timedelta(days=13),
                check_in_times=["08:00", "18:00"],
                created_by=officer,
            )
            for kp in key_persons
        )
        tokens = [secrets.token_urlsafe(32) for _ in episodes]
        end = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=14), datetime.time.min)
        )
        SelfReportLink.objects.bulk_create(
            SelfReportLink(
                episode=episode,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                sent_to=episode.key_person.phone,
                created_by=officer,
                expires_at=end,
            )
            for episode, token in zip(episodes, tokens, strict=True)
        )
        police = TeamRole.objects.get(code="police")
        TeamMember.objects.bulk_create(
            TeamMember(key_person=kp, role=police, worker=officer, assigned_by=officer)
            for kp in key_persons[count:]
        )
    # The tables went from empty to full in one go, as after the demo build: give the
    # planner their statistics. The scheduler's first tick may have run the hourly ANALYZE
    # on the empty tables a moment ago, and PostgreSQL without autovacuum (or before its
    # next round) would then plan the link's join for one row per table, row by row.
    planner_statistics_refresh()
    people = [(e.pk, t) for e, t in zip(episodes, tokens, strict=True)]
    return people[:count], people[count:], officer


class Phone:
    """One client: a keep-alive connection and the CSRF cookie, like a phone's browser."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = None
        self.cookie = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                self.cookie = header.split(";", 1)[0]
        return response.status, text

    def form(self, path: str) -> tuple[str, str]:
        status, html = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return NONCE.search(html).group(1), CSRF.search(html).group(1)

    def post(self, path: str, nonce: str, csrf: str, temperature: str) -> tuple[int, str]:
        body = urllib.parse.urlencode(
            {"temperature": temperature, "form_nonce": nonce, "csrfmiddlewaretoken": csrf}
        )
        return self.request("POST", path, body)


def run(args: argparse.Namespace, url: str) -> int:
    from django.db import connection
    from django.db.models import Count

    from outpost.notify.models import InboxMessage
    from outpost.observation.choices import AlertKind, CheckInSource
    from outpost.observation.models import Alert, CheckIn
    from outpost.observation.views.selfreport import PER_LINK

    # The bench's people stay under the per-link limit (their reports and one replay).
    if args.reports + 1 > PER_LINK.hits:
        print(f"--reports must be below the link's limit ({PER_LINK.hits})", file=sys.stderr)
        return 2
    started = time.perf_counter()
    people, alert_people, officer = make_people(args.people + 2, args.alerts, args.seed)
    *people, flooder, neighbour = people
    print(f"database:        {connection.vendor}")
    print(
        f"people:          {len(people):,} episodes with links "
        f"({time.perf_counter() - started:.1f} s, bulk)"
    )
    rng = random.Random(args.seed)
    jobs = [(episode_id, token) for episode_id, token in people for _ in range(args.reports)]
    rng.shuffle(jobs)
    local = threading.local()
    accepted: list[tuple[int, str]] = []
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    done = threading.Event()
    progress = [0]

    def phone() -> Phone:
        if not hasattr(local, "phone"):
            local.phone = Phone(url)
        return local.phone

    def report(episode_id: int, token: str, temperature: str = "36.6"):
        path = f"/observation/r/{token}/"
        nonce, csrf = phone().form(path)
        sent = time.perf_counter()
        status, html = phone().post(path, nonce, csrf, temperature)
        elapsed = time.perf_counter() - sent
        with lock:
            statuses[status] += 1
            latencies.append(elapsed)
            progress[0] += 1
            if status == 200 and "sr-done" in html:
                accepted.append((episode_id, nonce))
        return path, nonce, status

    alert_seconds: list[float] = []
    in_inbox_at_answer: list[bool] = []

    def in_inbox(episode_id: int) -> bool:
        alert = Alert.objects.filter(episode_id=episode_id, kind=AlertKind.FEVER).first()
        return (
            bool(alert)
            and InboxMessage.objects.filter(
                recipient=officer, url=alert.get_absolute_url()
            ).exists()
        )

    def alert_probe():
        """Once a third of the burst is through: fever reports, timed until the team's
        inbox has the alert."""
        while progress[0] < len(jobs) // 3 and not done.is_set():
            time.sleep(0.05)
        probe = Phone(url)
        for episode_id, token in alert_people:
            path = f"/observation/r/{token}/"
            nonce, csrf = probe.form(path)
            sent = time.perf_counter()
            status, html = probe.post(path, nonce, csrf, "38.1")
            answered = time.perf_counter() - sent
            # The alert is written in the check-in's transaction: it is in the inbox when
            # the phone gets its answer. Polling after that would time this process's own
            # threads (16 clients on the same two cores), not the server.
            in_inbox_at_answer.append(in_inbox(episode_id))
            alert_seconds.append(answered)
            if status == 200 and "sr-done" in html:
                with lock:
                    accepted.append((episode_id, nonce))

    prober = threading.Thread(target=alert_probe)
    prober.start()
    started = time.perf_counter()
    sample: dict[str, str] = {}  # one form per person: replays count against the limit
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = [pool.submit(report, *job) for job in jobs]
        for future in as_completed(futures):
            path, nonce, status = future.result()
            if status == 200 and len(sample) < REPLAYS:
                sample.setdefault(path, nonce)
    burst = time.perf_counter() - started
    done.set()
    prober.join()

    replay_ok = replay(url, sample)
    flood_seconds, flood_answers, neighbour_ok, flood_windows = flood(
        url, args, flooder, neighbour, accepted, lock
    )
    flood_stored = CheckIn.objects.filter(episode_id=flooder[0]).count()

    ordered = sorted(latencies)
    stored = CheckIn.objects.filter(source=CheckInSource.SELF_REPORT)
    stored_nonces = set(stored.values_list("form_nonce", flat=True))
    expected = {f"{episode_id}:{nonce}" for episode_id, nonce in accepted}
    doubles = stored.values("form_nonce").annotate(n=Count("pk")).filter(n__gt=1).count()
    exactly_once = stored.count() == len(accepted) and stored_nonces == expected and not doubles

    print(
        f"clients:         {args.threads} threads, server {args.server_processes} × "
        f"{args.server_threads} threads"
    )
    print(
        f"check-ins:       {len(jobs):,} sent in {burst:.1f} s -> "
        f"{len(jobs) / burst:,.0f} check-ins/s (each a GET of the form and a POST)"
    )
    print(f"answers:         {dict(sorted(statuses.items()))}")
    print(
        f"POST latency:    p50 {percentile(ordered, 50) * 1000:.0f} ms, "
        f"p99 {percentile(ordered, 99) * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )
    print(
        f"stored:          {stored.count():,} rows for {len(accepted):,} accepted; "
        f"{len(sample)} forms sent twice, {replay_ok} answered with the first report; "
        f"exactly once: {'yes' if exactly_once else 'NO'}"
    )
    print(
        f"flood:           {args.flood:,} reports through one link in {flood_seconds:.1f} s: "
        f"{flood_answers[429]:,} refused (429), {flood_stored} stored "
        f"(limit {PER_LINK.hits} a window; {flood_windows} window(s)); "
        f"a neighbour on the same address: {neighbour_ok}/2 stored"
    )
    if alert_seconds:
        print(
            f"fever alerts:    {len(alert_seconds)} reports at 38.1 °C answered after "
            f"median {statistics.median(alert_seconds) * 1000:.0f} ms, "
            f"max {max(alert_seconds) * 1000:.0f} ms (target < {ALERT_TARGET_S:.0f} s); "
            f"alert already in the team's inbox at the answer: "
            f"{sum(in_inbox_at_answer)}/{len(in_inbox_at_answer)}"
        )
    ok = (
        exactly_once
        and statuses[200] == len(jobs)
        and replay_ok == len(sample)
        and flood_stored <= PER_LINK.hits * flood_windows
        and flood_answers[429] >= args.flood - PER_LINK.hits * flood_windows
        and neighbour_ok == 2
        and all(s < ALERT_TARGET_S for s in alert_seconds)
        and all(in_inbox_at_answer)
    )
    print("result:          " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


def replay(url: str, sample: dict[str, str]) -> int:
    """The same forms sent again (a double tap, a reload): how many were answered with the
    first report (nothing new may be stored)."""
    replayer = Phone(url)
    replay_ok = 0
    for path, nonce in sample.items():
        _n, csrf = replayer.form(path)
        status, html = replayer.post(path, nonce, csrf, "39.9")
        replay_ok += status == 200 and "39.9" not in html
    return replay_ok


def flood(url: str, args: argparse.Namespace, flooder, neighbour, accepted: list, lock):
    """A flood through one link from one address (a script, a stuck phone) while a
    neighbour behind the same address (the hotel's wifi) reports as usual: (seconds, the
    flooder's answers by status, the neighbour's reports stored, how many of the limit's
    fixed windows it fell in: a flood across the start of a window gets the limit of each)."""
    from outpost.observation.views.selfreport import PER_LINK

    local = threading.local()

    def flood_post(episode_id: int, token: str) -> int:
        if not hasattr(local, "phone"):
            local.phone = Phone(url)
        path = f"/observation/r/{token}/"
        nonce, csrf = local.phone.form(path)
        status, html = local.phone.post(path, nonce, csrf, "36.6")
        if status == 200 and "sr-done" in html:
            with lock:
                accepted.append((episode_id, nonce))
        return status

    flood_jobs = [flooder] * args.flood
    flood_jobs[len(flood_jobs) // 3 : len(flood_jobs) // 3] = [neighbour]
    flood_jobs[2 * len(flood_jobs) // 3 : 2 * len(flood_jobs) // 3] = [neighbour]
    started, first_window = time.perf_counter(), int(time.time()) // PER_LINK.seconds
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        answers = list(pool.map(lambda job: (job, flood_post(*job)), flood_jobs))
    flood_seconds = time.perf_counter() - started
    windows = int(time.time()) // PER_LINK.seconds - first_window + 1
    flood_answers = collections.Counter(status for job, status in answers if job == flooder)
    neighbour_ok = sum(status == 200 for job, status in answers if job == neighbour)
    return flood_seconds, flood_answers, neighbour_ok, windows


def percentile(ordered: list[float], p: int) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
