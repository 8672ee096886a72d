"""Benchmark of the matching engine (outpost.screening.engine).

Generates 116,782 residents and a feed of 1,000,000 rows (10 % of them residents, with
various corruptions; the rest strangers, some sharing a resident's name, some name and birth
date) as csv files, then — in a fresh process, so that generation does not count — reads them
with DuckDB and runs ``match_feed`` end to end. Prints wall time, peak memory (ru_maxrss),
rows/s, the DuckDB read floor, and precision / recall per case kind against the ground truth.

    .venv/bin/python bench/matching_engine.py [--feed-rows N] [--residents N] [--dir DIR]
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

REGIONS_LOCAL = ["210202", "210203", "210204", "210211", "210212", "210213", "210214", "210281"]
REGIONS_OTHER = ["420102", "420106", "420111", "421002", "110101", "310101", "440305", "370102"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
HOMOPHONES = {
    "张": "章", "章": "张", "伟": "卫", "李": "理", "王": "汪", "陈": "晨", "杨": "阳",
    "黄": "皇", "赵": "照", "周": "舟", "林": "琳", "静": "靖", "强": "墙", "军": "君",
    "勇": "永", "艳": "燕", "杰": "洁", "涛": "滔", "明": "鸣", "霞": "侠", "平": "萍",
    "刚": "钢", "华": "化", "玉": "育", "红": "洪", "玲": "灵", "芬": "分", "梅": "眉",
    "云": "芸", "雪": "学", "月": "悦", "佳": "嘉", "珍": "真", "莉": "丽", "青": "清",
    "婷": "庭", "丹": "单", "琴": "勤", "宁": "凝", "欣": "心", "晓": "小", "芳": "方",
}  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CASES = [  # kind, share of the residents on the list
    ("id_exact", 0.45),
    ("id_digit", 0.07),
    ("id_swap", 0.05),
    ("id_check", 0.05),
    ("id_15", 0.03),
    ("phone_only", 0.12),
    ("name_birth", 0.08),
    ("homophone_phone", 0.07),
    ("homophone_birth", 0.04),
    ("id_error_name_variant", 0.04),
]


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id(rng: random.Random, region: str, birth: datetime.date) -> str:
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_char(first17)


def random_birth(rng: random.Random) -> datetime.date:
    return datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 84))


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def homophone(rng: random.Random, name: str) -> str:
    positions = [i for i, ch in enumerate(name) if ch in HOMOPHONES]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def digit_typo(rng: random.Random, id_number: str) -> str:
    i = rng.randrange(17)
    new = rng.choice([d for d in "0123456789" if d != id_number[i]])
    return id_number[:i] + new + id_number[i + 1 :]


def swap_typo(rng: random.Random, id_number: str) -> str | None:
    options = [i for i in range(17) if id_number[i] != id_number[i + 1]]
    i = rng.choice(options)
    return id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2 :]


def check_typo(rng: random.Random, id_number: str) -> str:
    return id_number[:17] + rng.choice([c for c in "0123456789X" if c != id_number[17]])


def phone_format(rng: random.Random, phone: str) -> str:
    return rng.choice(
        [phone, f"+86 {phone}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86-{phone}"]
    )


def generate(directory: Path, n_residents: int, n_feed: int, seed: int = 20200123) -> None:
    rng = random.Random(seed)
    residents = []
    used_ids, used_phones = set(), set()
    for rid in range(1, n_residents + 1):
        birth = random_birth(rng)
        id_number = make_id(rng, rng.choice(REGIONS_LOCAL), birth)
        while id_number in used_ids:
            id_number = make_id(rng, rng.choice(REGIONS_LOCAL), birth)
        used_ids.add(id_number)
        phone = ""
        if rng.random() < 0.9:
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            while phone in used_phones:
                phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            used_phones.add(phone)
        residents.append((rid, random_name(rng), id_number, phone, birth))
    with open(directory / "residents.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["resident_id", "name", "id_number", "phone", "birth_date"])
        for rid, name, id_number, phone, birth in residents:
            writer.writerow([rid, name, id_number, phone, birth.isoformat()])

    n_true = n_feed // 10
    truth: dict[int, tuple[int | None, str]] = {}
    rows = []
    kinds = [k for k, _ in CASES]
    weights = [w for _, w in CASES]
    row_id = 0
    with_phone = [r for r in residents if r[3]]
    for _ in range(n_true):
        kind = rng.choices(kinds, weights)[0]
        rid, name, id_number, phone, birth = rng.choice(
            with_phone if kind in ("phone_only", "homophone_phone") else residents
        )
        feed_name, feed_id, feed_phone, feed_birth = name, id_number, "", ""
        if kind == "id_digit":
            feed_id = digit_typo(rng, id_number)
        elif kind == "id_swap":
            feed_id = swap_typo(rng, id_number)
        elif kind == "id_check":
            feed_id = check_typo(rng, id_number)
        elif kind == "id_15":
            if not id_number[6:8] == "19":
                kind, feed_id = "id_exact", id_number
            else:
                feed_id = id_number[:6] + id_number[8:17]
        elif kind == "phone_only":
            feed_id, feed_phone = "", phone_format(rng, phone)
        elif kind == "name_birth":
            feed_id, feed_birth = "", birth.isoformat()
        elif kind in ("homophone_phone", "homophone_birth", "id_error_name_variant"):
            variant = homophone(rng, name)
            if variant is None:
                kind = "id_exact"
            else:
                feed_name = variant
                if kind == "homophone_phone":
                    feed_id, feed_phone = "", phone_format(rng, phone)
                elif kind == "homophone_birth":
                    feed_id, feed_birth = "", birth.isoformat()
                else:
                    feed_id = rng.choice((digit_typo, swap_typo, check_typo))(rng, id_number)
        if kind in ("id_digit", "id_swap", "id_check") and phone and rng.random() < 0.5:
            feed_phone = phone_format(rng, phone)
        row_id += 1
        rows.append((row_id, feed_name, feed_id, feed_phone, feed_birth))
        truth[row_id] = (rid, kind)

    by_name = [r for r in residents if len(r[1]) == 2]
    for _ in range(n_feed - n_true):
        row_id += 1
        r = rng.random()
        if r < 0.02:  # stranger with a resident's (common) name
            kind, name, birth = "stranger_same_name", rng.choice(by_name)[1], random_birth(rng)
        elif r < 0.025:  # stranger with a resident's name and birth date (but another ID)
            other = rng.choice(residents)
            kind, name, birth = "stranger_same_name_birth", other[1], other[4]
        else:
            kind, name, birth = "stranger", random_name(rng), random_birth(rng)
        region = rng.choice(REGIONS_OTHER if rng.random() < 0.7 else REGIONS_LOCAL)
        id_number = make_id(rng, region, birth)
        while id_number in used_ids:
            id_number = make_id(rng, region, birth)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if phone in used_phones:
            phone = ""
        feed_birth = birth.isoformat() if kind == "stranger_same_name_birth" else ""
        rows.append((row_id, name, id_number, phone, feed_birth))
        truth[row_id] = (None, kind)
    rng.shuffle(rows)
    with open(directory / "feed.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row_id", "name", "id_number", "phone", "birth_date"])
        writer.writerows(rows)
    with open(directory / "truth.json", "w") as fh:
        json.dump({str(k): v for k, v in truth.items()}, fh)


def run(directory: Path) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    django.setup()
    import duckdb

    from outpost.screening.engine import match_feed

    types = {
        "name": "VARCHAR",
        "id_number": "VARCHAR",
        "phone": "VARCHAR",
        "birth_date": "DATE",
    }
    con = duckdb.connect()
    started = time.perf_counter()
    floor = con.read_csv(
        str(directory / "feed.csv"), dtype={"row_id": "BIGINT", **types}
    ).aggregate("count(*)")
    floor.fetchall()
    read_floor = time.perf_counter() - started

    started = time.perf_counter()
    residents = con.read_csv(
        str(directory / "residents.csv"), dtype={"resident_id": "BIGINT", **types}
    )
    feed = con.read_csv(str(directory / "feed.csv"), dtype={"row_id": "BIGINT", **types})
    result = match_feed(residents, feed, con=con)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_rows = len(result.links) + len(result.unmatched)
    return {
        "wall": wall,
        "read_floor": read_floor,
        "peak_mb": peak_mb,
        "rows": n_rows,
        "timings": result.timings,
        "links": [(link.row_id, link.resident_id, link.status, link.rule) for link in result.links],
    }


def evaluate(directory: Path, report: dict) -> None:
    with open(directory / "truth.json") as fh:
        truth = {int(k): tuple(v) for k, v in json.load(fh).items()}
    linked = {row: (rid, status, rule) for row, rid, status, rule in report.pop("links")}
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for row, (true_rid, kind) in truth.items():
        c = per_kind[kind]
        c["n"] += 1
        got = linked.get(row)
        if got is None:
            continue
        rid, status, _rule = got
        c[status] += 1
        if true_rid is not None and rid == true_rid:
            c[f"tp_{status}"] += 1
        elif status == "auto":
            c["wrong_auto"] += 1
    print(f"{'case':28} {'n':>7} {'auto ok':>8} {'review ok':>9} {'wrong auto':>10} {'review':>7}")
    totals = Counter()
    for kind in sorted(per_kind):
        c = per_kind[kind]
        totals.update(c)
        print(
            f"{kind:28} {c['n']:7} {c['tp_auto']:8} {c['tp_review']:9} "
            f"{c['wrong_auto']:10} {c['review']:7}"
        )
    positives = sum(c["n"] for k, c in per_kind.items() if not k.startswith("stranger"))
    for label, keys in (("auto only", ("auto",)), ("auto + review", ("auto", "review"))):
        tp = sum(totals[f"tp_{s}"] for s in keys)
        predicted = sum(totals[s] for s in keys)
        precision = tp / predicted if predicted else 1.0
        recall = tp / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{label:14} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=116_782)
    parser.add_argument("--feed-rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--run", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # the measured child process
        print(json.dumps(run(args.run)))
        return
    directory = args.dir or Path(tempfile.mkdtemp(prefix="outpost-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / "truth.json").exists():
        started = time.perf_counter()
        generate(directory, args.residents, args.feed_rows)
        print(f"generated in {time.perf_counter() - started:.1f} s into {directory}")
    child = subprocess.run(
        [sys.executable, __file__, "--run", str(directory)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    report = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"{report['rows']:,} feed rows x {args.residents:,} residents: "
        f"{report['wall']:.2f} s end to end, {report['rows'] / report['wall']:,.0f} rows/s, "
        f"peak memory {report['peak_mb']:.0f} MB; DuckDB reading the csv alone "
        f"{report['read_floor']:.2f} s (ratio {report['wall'] / report['read_floor']:.1f}x)"
    )
    print("cumulative stage times:", {k: round(v, 2) for k, v in report["timings"].items()})
    evaluate(directory, report)


if __name__ == "__main__":
    main()
