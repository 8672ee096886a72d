"""Benchmark of the matching engine (outpost.screening.engine), issue 4 item 7.

Residents: the full demo district (116,782 people, from ``plan_demo_district``: the same
deterministic generator ``outpost demo`` writes to the database, no database needed). Feed:
2,000,000 rows as csv (plus a 200,000-row cut as xlsx for import testing) with a known ground
truth: about 1,500 residents of the district in these case kinds

    id_exact, id_15 (old 15-digit number), id_digit (one wrong digit), id_swap (two adjacent
    digits swapped), id_check (wrong check character), phone_only (no ID), name_birth (no ID,
    no phone), variant_phone / variant_birth (homophone or variant-character name, no ID,
    with a phone / with only the birth date), id_error_variant (an ID error and a name
    variant), tie (a name + birth date two residents share: must be review, never a link)

and strangers for the rest: plain ones (ID, phone-only, name + birth date only; phones with
+86 and dashes, some 15-digit and lower-case x IDs, a little junk), strangers with a common
resident name, and strangers with a resident's name *and* birth date (their own ID; a few with
no ID but their own phone), which must never be auto-linked.

Generation is not timed and is cached in ``--dir``. The measurement runs in fresh child
processes: one for the read floor (DuckDB reading the feed csv into a table, every column),
one for the engine end to end from the csv (read + normalise + match). It prints wall time,
peak memory (ru_maxrss), rows/s, the ratio to the floor, stage timings, and precision, recall
and F1 overall ("auto only" and "auto + review") and per case kind.

    .venv/bin/python bench/matching_engine.py [--feed-rows N] [--true-rows N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

# Share of the true rows per kind (the tie is one extra row).
CASES = (
    ("id_exact", 0.34),
    ("id_15", 0.03),
    ("id_digit", 0.08),
    ("id_swap", 0.07),
    ("id_check", 0.07),
    ("phone_only", 0.13),
    ("name_birth", 0.09),
    ("variant_phone", 0.07),
    ("variant_birth", 0.06),
    ("id_error_variant", 0.06),
)
TRUE_KINDS = {kind for kind, _ in CASES} | {"tie"}
# Homophones (same reading) and variant (traditional / old) characters of common name
# characters. Both directions where it makes sense.
VARIANTS = {
    "张": "章", "章": "张", "伟": "玮", "李": "理", "王": "汪", "汪": "王", "陈": "陳",
    "杨": "楊", "黄": "黃", "赵": "趙", "周": "週", "林": "琳", "静": "靜", "强": "強",
    "军": "軍", "勇": "永", "艳": "豔", "杰": "傑", "涛": "濤", "明": "鸣", "霞": "侠",
    "平": "萍", "刚": "钢", "华": "華", "玉": "钰", "红": "紅", "玲": "灵", "芬": "纷",
    "梅": "玫", "云": "雲", "雪": "薛", "月": "悦", "佳": "嘉", "珍": "真", "丽": "麗",
    "青": "清", "婷": "庭", "丹": "单", "琴": "勤", "宁": "寧", "欣": "馨", "晓": "曉",
    "芳": "方", "刘": "劉", "孙": "孫", "马": "馬", "郑": "鄭", "冯": "馮", "邓": "鄧",
    "于": "於", "姜": "江", "丛": "叢", "隋": "随", "曲": "屈", "东": "東", "国": "國",
    "峰": "峯", "凤": "鳳", "兰": "蘭", "龙": "龍", "荣": "榮", "鹏": "鵬", "飞": "飛",
}  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def is_valid(id_number: str) -> bool:
    return len(id_number) == 18 and check_char(id_number[:17]) == id_number[17]


def digit_typo(rng: random.Random, id_number: str) -> str:
    i = rng.randrange(17)
    return (
        id_number[:i]
        + rng.choice([d for d in "0123456789" if d != id_number[i]])
        + id_number[i + 1 :]
    )


def swap_typo(rng: random.Random, id_number: str) -> str:
    i = rng.choice([i for i in range(17) if id_number[i] != id_number[i + 1]])
    return id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2 :]


def check_typo(rng: random.Random, id_number: str) -> str:
    return id_number[:17] + rng.choice([c for c in "0123456789X" if c != id_number[17]])


def variant(rng: random.Random, name: str) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch in VARIANTS]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[:i] + VARIANTS[name[i]] + name[i + 1 :]


def phone_format(rng: random.Random, phone: str, share: float = 0.6) -> str:
    if rng.random() >= share:
        return phone
    return rng.choice(
        (f"+86 {phone}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86-{phone}", f"86{phone}")
    )


def id_format(rng: random.Random, id_number: str) -> str:
    """Mostly as is; some lower-case x, some old 15-digit numbers (born in the 1900s)."""
    r = rng.random()
    if r < 0.02 and id_number[6:8] == "19":
        return id_number[:6] + id_number[8:17]
    if id_number.endswith("X") and r < 0.3:
        return id_number[:17] + "x"
    return id_number


# ---------------------------------------------------------------------------- generation


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    os.environ.setdefault("OUTPOST_VAR_DIR", tempfile.gettempdir())
    import django

    django.setup()


def write_residents(directory: Path) -> list[tuple]:
    """The demo district's residents as (resident_id, name, id_number, phone, birth_date)."""
    from outpost.demo.district import plan_demo_district

    plan = plan_demo_district(scale=1.0, seed=2020)
    residents = [
        (i, r.name, r.id_number, r.phone, r.birth_date)
        for i, r in enumerate(plan.residents, start=1)
    ]
    with open(directory / "residents.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["resident_id", "name", "id_number", "phone", "birth_date"])
        for rid, name, id_number, phone, birth in residents:
            writer.writerow([rid, name, id_number, phone, birth.isoformat()])
    return residents


class _Feed:
    """The feed rows being generated, with their ground truth."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.truth: dict[int, list] = {}  # row_id -> [resident_ids, kind]

    def add(self, kind, rids, name, id_number="", phone="", birth=None) -> None:
        row_id = len(self.rows) + 1
        self.rows.append((row_id, name, id_number, phone, birth.isoformat() if birth else ""))
        self.truth[row_id] = [rids, kind]


def generate(directory: Path, n_feed: int, n_true: int, xlsx_rows: int, seed: int = 4_7) -> None:
    from outpost.demo import district as demo

    residents = write_residents(directory)
    rng = random.Random(seed)
    gen = demo._Generator(random.Random(seed + 1))  # the demo's own name / ID / phone maker
    gen.id_prefixes.update(r[2][:17] for r in residents if r[2])
    gen.phones.update(r[3] for r in residents if r[3])

    feed = _Feed()
    _add_true_rows(feed, rng, residents, n_true)
    _add_strangers(feed, rng, gen, residents, n_feed)

    rows = feed.rows
    order = list(range(len(rows)))
    rng.shuffle(order)
    with open(directory / "feed.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row_id", "name", "id_number", "phone", "birth_date"])
        writer.writerows(rows[i] for i in order)
    with open(directory / "truth.json", "w") as fh:  # plain strangers are left out
        kept = {str(k): v for k, v in feed.truth.items() if v[1] != "stranger"}
        json.dump({"rows": len(rows), "truth": kept}, fh)
    if xlsx_rows:
        write_xlsx(directory / "feed_cut.xlsx", [rows[i] for i in order[:xlsx_rows]], rng)


def _add_true_rows(feed: _Feed, rng: random.Random, residents: list[tuple], n_true: int) -> None:
    """The true rows: distinct residents, each kind from the residents it can apply to, and
    one tie (a name + birth date two residents share)."""
    by_name_birth: dict[tuple, list] = defaultdict(list)
    for r in residents:
        by_name_birth[(r[1], r[4])].append(r)
    pool = [r for r in residents if len(by_name_birth[(r[1], r[4])]) == 1]
    rng.shuffle(pool)
    used: set[int] = set()
    counts = {kind: round(share * n_true) for kind, share in CASES}
    for kind, count in counts.items():
        for r in pool:
            if count == 0:
                break
            if r[0] in used:
                continue
            feed_name = _true_name(rng, kind, r)
            if feed_name is None:
                continue
            used.add(r[0])
            count -= 1
            _add_true_row(feed, rng, kind, r, feed_name)
    ties = [rs for rs in by_name_birth.values() if len(rs) > 1]
    if ties and n_true:
        tied = ties[0]
        feed.add("tie", sorted(r[0] for r in tied), tied[0][1], "", "", tied[0][4])


def _true_name(rng: random.Random, kind: str, resident: tuple) -> str | None:
    """The name the feed gives the resident in a row of this kind, or None when the kind
    cannot apply to them (no ID, no phone, an ID that has no 15-digit form, no variant)."""
    _rid, name, id_number, phone, _birth = resident
    if kind.startswith("id") and not id_number:
        return None
    if kind == "id_15" and id_number[6:8] != "19":
        return None
    if kind in ("phone_only", "variant_phone") and not phone:
        return None
    if kind.startswith("variant") or kind == "id_error_variant":
        return variant(rng, name)
    return name


def _add_true_row(feed: _Feed, rng: random.Random, kind: str, resident: tuple, feed_name: str):
    rid, name, id_number, phone, birth = resident
    if kind == "id_exact":
        feed.add(
            kind,
            [rid],
            name,
            id_number,
            phone_format(rng, phone) if rng.random() < 0.5 else "",
            birth if rng.random() < 0.5 else None,
        )
    elif kind == "id_15":
        feed.add(kind, [rid], name, id_number[:6] + id_number[8:17])
    elif kind in ("id_digit", "id_swap", "id_check", "id_error_variant"):
        typo = {"id_digit": digit_typo, "id_swap": swap_typo, "id_check": check_typo}.get(
            kind, rng.choice((digit_typo, swap_typo, check_typo))
        )
        with_phone = phone and rng.random() < 0.5
        feed.add(
            kind,
            [rid],
            feed_name,
            typo(rng, id_number),
            phone_format(rng, phone) if with_phone else "",
        )
    elif kind in ("phone_only", "variant_phone"):
        feed.add(kind, [rid], feed_name, "", phone_format(rng, phone))
    else:  # name_birth, variant_birth
        feed.add(kind, [rid], feed_name, "", "", birth)


def _add_strangers(feed: _Feed, rng: random.Random, gen, residents: list[tuple], n_feed: int):
    """Strangers up to ``n_feed`` rows: with a resident's name and birth date, with a common
    resident name, and plain ones."""
    from outpost.demo import district as demo

    regions = [code for code, _n, _group, _w in demo.names.REGIONS]

    def stranger_id(birth: datetime.date) -> str:
        return gen.id_number(rng.choice(regions), birth, gen.sex())

    def random_birth() -> datetime.date:
        return gen.birth(rng.randrange(1, 90))

    common = Counter(r[1] for r in residents).most_common(2000)
    common_names = [name for name, _ in common]
    with_birth = [r for r in residents if r[2]]
    n_same_birth = max(1, (n_feed - len(feed.rows)) // 2000)  # 0.05 %
    n_same_birth_no_id = min(10, max(1, n_same_birth // 50))
    n_same_name = (n_feed - len(feed.rows)) // 50  # 2 %
    for i in range(n_same_birth):
        _rid, name, _id, _phone, birth = rng.choice(with_birth)
        if i < n_same_birth_no_id:  # no ID, but a phone that is not the resident's
            feed.add(
                "stranger_same_name_birth", [], name, "", phone_format(rng, gen.phone()), birth
            )
        else:
            feed.add("stranger_same_name_birth", [], name, stranger_id(birth), "", birth)
    for _ in range(n_same_name):
        birth = random_birth()
        phone = phone_format(rng, gen.phone(), 0.2) if rng.random() < 0.6 else ""
        feed.add(
            "stranger_same_name",
            [],
            rng.choice(common_names),
            id_format(rng, stranger_id(birth)),
            phone,
        )
    by_birth: dict[datetime.date, list[str]] = defaultdict(list)
    for r in residents:
        by_birth[r[4]].append(r[1])
    while len(feed.rows) < n_feed:
        _add_plain_stranger(feed, rng, gen, stranger_id, random_birth(), by_birth)


def _add_plain_stranger(feed: _Feed, rng: random.Random, gen, stranger_id, birth, by_birth):
    from outpost.screening.engine import name_similarity

    name = gen.name(gen.sex())
    r = rng.random()
    if r < 0.80:  # an ID, often a phone, sometimes the birth date
        phone = phone_format(rng, gen.phone(), 0.2) if rng.random() < 0.6 else ""
        id_number = id_format(rng, stranger_id(birth))
        feed.add("stranger", [], name, id_number, phone, birth if rng.random() < 0.3 else None)
    elif r < 0.92:  # a phone only
        feed.add("stranger", [], name, "", phone_format(rng, gen.phone(), 0.3))
    elif r < 0.995:  # name and birth date only: nobody of the district may be that close
        if any(name_similarity(name, other) >= 60 for other in by_birth.get(birth, ())):
            return
        feed.add("stranger", [], name, "", "", birth)
    else:  # junk in the ID column
        junk = rng.choice(
            (f"{rng.randrange(10**9)}", "无", "3.60426E+17", stranger_id(birth)[:16] + " ")
        )
        feed.add("stranger", [], name, junk, gen.phone())


def write_xlsx(path: Path, rows: list[tuple], rng: random.Random) -> None:
    """The first rows of the csv as an xlsx (write-only), dates in the formats feeds use."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("feed")
    sheet.append(["编号", "姓名", "身份证号", "手机号", "出生日期"])
    for row_id, name, id_number, phone, birth in rows:
        if birth:
            date = datetime.date.fromisoformat(birth)
            birth = rng.choice(
                (
                    date,
                    f"{date:%Y/%m/%d}",
                    f"{date.year}年{date.month}月{date.day}日",
                    f"{date:%Y%m%d}",
                )
            )
        sheet.append([row_id, name, id_number, phone, birth or None])
    book.save(path)


# ---------------------------------------------------------------------------- measured children

DTYPES = {"name": "VARCHAR", "id_number": "VARCHAR", "phone": "VARCHAR", "birth_date": "DATE"}


def run_floor(directory: Path, threads: int) -> dict:
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    started = time.perf_counter()
    con.execute(
        "CREATE TEMP TABLE f AS SELECT * FROM read_csv(?, header = true, columns = ?)",
        [str(directory / "feed.csv"), {"row_id": "BIGINT", **DTYPES}],
    )
    # Touch every column, so that nothing is left lazy.
    con.execute(
        "SELECT count(row_id), count(name), count(id_number), count(phone), count(birth_date) "
        "FROM f"
    ).fetchall()
    return {"floor": time.perf_counter() - started}


def run_engine(directory: Path) -> dict:
    _setup_django()
    import duckdb

    from outpost.screening.engine import match_feed

    started = time.perf_counter()
    con = duckdb.connect()
    residents = con.read_csv(
        str(directory / "residents.csv"), dtype={"resident_id": "BIGINT", **DTYPES}
    )
    feed = con.read_csv(str(directory / "feed.csv"), dtype={"row_id": "BIGINT", **DTYPES})
    result = match_feed(residents, feed, con=con)
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": len(result.links) + len(result.unmatched),
        "timings": result.timings,
        "links": [
            (
                link.row_id,
                link.resident_id,
                link.status,
                link.rule,
                [c.resident_id for c in link.candidates],
            )
            for link in result.links
        ],
    }


def ensure_encrypted_residents(directory: Path) -> None:
    """residents_enc.csv: residents.csv with the ID and phone columns as they are stored at
    rest (core.crypto ciphertexts under a bench key ring kept beside it). Not timed."""
    target = directory / "residents_enc.csv"
    if target.exists():
        return
    _setup_django()
    from django.conf import settings

    from outpost.core.crypto import cipher, keys

    ring = keys.generate_ring_json()
    (directory / "bench_keys.json").write_text(json.dumps(ring))
    settings.OUTPOST_DATA_KEYS = json.dumps(ring)
    keys.reset()
    with (
        open(directory / "residents.csv", encoding="utf-8", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.DictReader(src), None
        for row in reader:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
                writer.writeheader()
            row["id_number"] = cipher.encrypt(row["id_number"] or "")
            row["phone"] = cipher.encrypt(row["phone"] or "")
            writer.writerow(row)


def run_engine_encrypted(directory: Path) -> dict:
    """The engine end to end with the residents' IDs and phones encrypted at rest: the
    stored rows (ciphertexts) read into an Arrow table, the two columns decrypted in bulk
    (``cipher.decrypt_column``), in the background while DuckDB reads the feed (the engine
    calls the function it is given in a thread), then matched."""
    _setup_django()
    import duckdb
    import pyarrow as pa
    from django.conf import settings

    from outpost.core.crypto import cipher, keys
    from outpost.screening.engine import match_feed

    settings.OUTPOST_DATA_KEYS = (directory / "bench_keys.json").read_text()
    keys.reset()
    spent: dict[str, float] = {}

    def residents() -> pa.Table:
        mark = time.perf_counter()
        stored = (
            duckdb.connect()
            .read_csv(
                str(directory / "residents_enc.csv"), dtype={"resident_id": "BIGINT", **DTYPES}
            )
            .arrow()
        )
        if isinstance(stored, pa.RecordBatchReader):
            stored = stored.read_all()
        spent["read_residents"] = time.perf_counter() - mark
        for column in ("id_number", "phone"):
            stored = stored.set_column(
                stored.schema.get_field_index(column),
                column,
                cipher.decrypt_column(stored[column]),
            )
        spent["decrypt"] = time.perf_counter() - mark - spent["read_residents"]
        spent["values"] = 2 * stored.num_rows
        return stored

    started = time.perf_counter()
    con = duckdb.connect()
    feed = con.read_csv(str(directory / "feed.csv"), dtype={"row_id": "BIGINT", **DTYPES})
    result = match_feed(residents, feed, con=con)
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "read_residents": spent["read_residents"],
        "decrypt": spent["decrypt"],
        "values": spent["values"],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "links": sorted(
            (link.row_id, link.resident_id, link.status, link.rule) for link in result.links
        ),
    }


def run_xlsx_read(directory: Path) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(directory / "feed_cut.xlsx", read_only=True)
    n = sum(1 for _ in book.active.iter_rows(values_only=True))
    return {"xlsx_read": time.perf_counter() - started, "xlsx_rows": n - 1}


def child(mode: str, directory: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--run", mode, "--dir", str(directory)],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- evaluation


def evaluate(directory: Path, links: list) -> dict:
    with open(directory / "truth.json") as fh:
        data = json.load(fh)
    truth = {int(k): v for k, v in data["truth"].items()}
    linked = {row: (rid, status, rule, cands) for row, rid, status, rule, cands in links}
    per_kind: dict[str, Counter] = defaultdict(Counter)
    per_kind["stranger"]["n"] = data["rows"] - len(truth)
    for row in linked.keys() - truth.keys():  # a plain stranger got a link
        truth[row] = [[], "stranger"]
        per_kind["stranger"]["n"] -= 1
    wrong_examples = []
    for row, (true_rids, kind) in truth.items():
        c = per_kind[kind]
        c["n"] += 1
        got = linked.get(row)
        if got is None:
            continue
        rid, status, rule, cands = got
        c[status] += 1
        if kind == "tie":
            right = rid is None and sorted(cands) == true_rids and status == "review"
        else:
            right = bool(true_rids) and rid == true_rids[0]
        if right:
            c[f"tp_{status}"] += 1
        else:
            c[f"wrong_{status}"] += 1
            if status == "auto" and len(wrong_examples) < 10:
                wrong_examples.append((row, kind, true_rids, rid, rule))
            if status == "auto" and rule == "name_birth_date" and not true_rids:
                c["stranger_auto_on_name_birth"] += 1
    print(
        f"{'case':26} {'n':>8} {'auto ok':>8} {'review ok':>9} {'wrong auto':>10} "
        f"{'wrong rev':>9} {'recall a':>8} {'recall a+r':>10}"
    )
    totals: Counter = Counter()
    for kind in sorted(per_kind, key=lambda k: (k not in TRUE_KINDS, k)):
        c = per_kind[kind]
        totals.update(c)
        recall = ""
        if kind in TRUE_KINDS:
            recall = (
                f"{c['tp_auto'] / c['n']:8.4f} {(c['tp_auto'] + c['tp_review']) / c['n']:10.4f}"
            )
        print(
            f"{kind:26} {c['n']:8} {c['tp_auto']:8} {c['tp_review']:9} {c['wrong_auto']:10} "
            f"{c['wrong_review']:9} {recall}"
        )
    positives = sum(c["n"] for k, c in per_kind.items() if k in TRUE_KINDS)
    summary = {}
    for label, keys in (("auto only", ("auto",)), ("auto + review", ("auto", "review"))):
        tp = sum(totals[f"tp_{s}"] for s in keys)
        predicted = sum(totals[s] for s in keys)
        precision = tp / predicted if predicted else 1.0
        recall = tp / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        summary[label] = (precision, recall, f1)
        print(f"{label:14} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    print(
        "strangers auto-linked on name + birth date:",
        totals["stranger_auto_on_name_birth"],
        "| wrong auto-links:",
        totals["wrong_auto"],
        wrong_examples or "",
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed-rows", type=int, default=2_000_000)
    parser.add_argument("--true-rows", type=int, default=1_500)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--xlsx-read", action="store_true", help="also time reading the xlsx")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads of the floor")
    parser.add_argument("--dir", type=Path, default=None, help="cache of the generated files")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the plain and the encrypted engine this many times, alternately; best of each",
    )
    parser.add_argument("--run", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # a measured child process
        if args.run == "floor":
            print(json.dumps(run_floor(args.dir, args.threads)))
        elif args.run == "xlsx":
            print(json.dumps(run_xlsx_read(args.dir)))
        elif args.run == "engine_enc":
            print(json.dumps(run_engine_encrypted(args.dir)))
        else:
            print(json.dumps(run_engine(args.dir)))
        return
    directory = args.dir or Path(
        tempfile.gettempdir(), f"outpost-bench-match-{args.feed_rows}-{args.true_rows}"
    )
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / "truth.json").exists():
        started = time.perf_counter()
        _setup_django()
        generate(directory, args.feed_rows, args.true_rows, min(args.xlsx_rows, args.feed_rows))
        print(f"generated in {time.perf_counter() - started:.1f} s into {directory}")
    ensure_encrypted_residents(directory)
    floor = child("floor", directory)["floor"]
    runs = [
        (child("engine", directory), child("engine_enc", directory)) for _ in range(args.repeat)
    ]
    report = min((plain for plain, _e in runs), key=lambda r: r["wall"])
    encrypted = min((enc for _p, enc in runs), key=lambda r: r["wall"])
    wall = report["wall"]
    n_res = sum(1 for _ in open(directory / "residents.csv", encoding="utf-8")) - 1
    print(
        f"{report['rows']:,} feed rows x {n_res:,} residents: {wall:.2f} s end to end "
        f"(read + match), {report['rows'] / wall:,.0f} rows/s, peak memory "
        f"{report['peak_mb']:.0f} MB; DuckDB reading the csv into a table alone {floor:.2f} s "
        f"(ratio {wall / floor:.1f}x)"
    )
    print("cumulative stage times:", {k: round(v, 2) for k, v in report["timings"].items()})
    same = [tuple(link) for link in encrypted["links"]] == sorted(
        (row, rid, status, rule) for row, rid, status, rule, _c in report["links"]
    )
    print(
        f"with the residents' IDs and phones encrypted at rest: {encrypted['wall']:.2f} s end "
        f"to end ({(encrypted['wall'] / wall - 1) * 100:+.1f} %), reading the "
        f"ciphertexts ({encrypted['read_residents']:.2f} s) and decrypting "
        f"{encrypted['values']:,} values in bulk ({encrypted['decrypt']:.2f} s) in a thread "
        "while DuckDB reads the feed; "
        f"same links: {same}"
    )
    if args.xlsx_read and (directory / "feed_cut.xlsx").exists():
        x = child("xlsx", directory)
        print(f"openpyxl reading the xlsx cut ({x['xlsx_rows']:,} rows): {x['xlsx_read']:.1f} s")
    evaluate(directory, report["links"])


if __name__ == "__main__":
    main()
