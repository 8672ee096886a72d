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
processes, ``--repeat`` times each, alternately, best of each: the read floor (DuckDB reading
the feed csv into a table, every column) and the engine end to end from the csv (read +
normalise + match). It prints wall time, peak memory (the child's own high-water mark),
rows/s, the ratio to the floor, stage timings, and precision, recall and F1 overall ("auto
only" and "auto + review") and per case kind.

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
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

# Share of the true rows per kind (the tie is one extra row). Every row's birth date, where it
# has one, is written in one of the formats feeds use (2020-01-23, 2020/1/23, 20200123,
# 2020年1月23日, 2020.01.23).
CASES = (
    ("id_exact", 0.20),
    ("id_15", 0.03),
    ("id_digit", 0.05),
    ("id_swap", 0.04),
    ("id_check", 0.04),
    ("id_two_wrong", 0.03),  # two wrong digits: at most review, never auto
    ("phone_only", 0.08),
    ("phone_digit", 0.05),  # no ID, one wrong digit in the phone
    ("phone_swap", 0.04),  # no ID, two adjacent digits of the phone swapped
    ("phone_typo_id", 0.03),  # the right ID, a phone typo
    ("household_phone", 0.06),  # no ID, the phone the household shares, the member's name
    ("name_birth", 0.05),
    ("traditional", 0.06),  # the name in traditional characters, phone or birth date
    ("variant_phone", 0.02),  # a homophone character, with the phone
    ("variant_birth", 0.02),  # a homophone character, only the birth date: review
    ("name_swap", 0.04),  # given name written first, with the phone
    ("middle_char", 0.04),  # a middle character dropped or added, with the phone
    ("dot_name", 0.03),  # 买买提·艾力 written with •, ・, ., a space or nothing
    ("id_error_variant", 0.03),
)
TRUE_KINDS = {kind for kind, _ in CASES} | {"tie"}
# Kinds that are a review at best (the evidence is one field, or conflicts).
REVIEW_KINDS = {"id_two_wrong", "variant_birth", "tie"}
# Homophones (same reading, another character: possibly another person).
VARIANTS = {
    "张": "章", "章": "张", "伟": "玮", "李": "理", "王": "汪", "汪": "王", "明": "鸣",
    "霞": "侠", "平": "萍", "刚": "钢", "玉": "钰", "玲": "灵", "芬": "纷", "梅": "玫",
    "雪": "薛", "月": "悦", "佳": "嘉", "珍": "真", "青": "清", "婷": "庭", "丹": "单",
    "琴": "勤", "欣": "馨", "芳": "方", "姜": "江", "隋": "随", "曲": "屈", "勇": "永",
    "林": "琳", "杰": "洁", "军": "君", "华": "桦", "敏": "民",
}  # fmt: skip
# Traditional forms of common name characters (the bench's own table, written apart from the
# engine's: a character the engine does not know still scores as a homophone there).
TRADITIONAL = dict(
    zip(
        "陈张刘杨黄赵吴孙马郑冯邓叶苏许谢韩罗钟卢蒋吕贾阎范谭邹陆钱汤乔贺赖龚顾万龙萧鲁"
        "伟华红军杰涛静强艳丽宁晓凤兰荣鹏飞东国峰云娇爱长辉刚庆颖莹洁双贵宝财兴顺义礼广"
        "业学书诗莲环琼绿艺贤聪仪灿炜锋铭锦钧铁阳凌汉圣卫达远连进运轩滨泽济满润银钟阁韵"
        "颂颜风骁鸿鹤龄玮焕尔禄纹纯绍丝维继总习闻庄蓝觉诚谦丰贞宾轶农边锐钢锡镇门闽阵随"
        "电灵韬颐飘馆骏腾鸣莺麦点",
        "陳張劉楊黃趙吳孫馬鄭馮鄧葉蘇許謝韓羅鍾盧蔣呂賈閻範譚鄒陸錢湯喬賀賴龔顧萬龍蕭魯"
        "偉華紅軍傑濤靜強豔麗寧曉鳳蘭榮鵬飛東國峯雲嬌愛長輝剛慶穎瑩潔雙貴寶財興順義禮廣"
        "業學書詩蓮環瓊綠藝賢聰儀燦煒鋒銘錦鈞鐵陽淩漢聖衛達遠連進運軒濱澤濟滿潤銀鐘閣韻"
        "頌顏風驍鴻鶴齡瑋煥爾祿紋純紹絲維繼總習聞莊藍覺誠謙豐貞賓軼農邊銳鋼錫鎮門閩陣隨"
        "電靈韜頤飄館駿騰鳴鶯麥點",
        strict=True,
    )
)
# Names written with a separator (Uyghur, Kazakh…): the parts, and the forms of "·" in feeds.
DOT_FIRST = ("买买提", "阿不都", "艾力", "吐尔逊", "阿依古丽", "古丽", "热依拉", "努尔", "帕提古丽")
DOT_SECOND = ("艾力", "吐尔逊", "买买提", "依明", "阿布拉", "热合曼", "卡德尔", "玉素甫", "沙吾提")
DOT_FORMS = ("·", "•", "・", ".", " ", "", "．")
BIRTH_FORMATS = (
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y.%m.%d}",
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def peak_mb() -> float:
    """This process's peak resident memory in MB: the high-water mark of its own address
    space (VmHWM). Not ru_maxrss: Linux carries a parent's peak over into a child it starts
    (the parent's address space is the one the child's exec replaces), so a child started by
    a parent that has just generated a city's data would report the generator's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def variant(rng: random.Random, name: str, table: dict = VARIANTS) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch in table]
    if not positions:
        return None
    if table is TRADITIONAL:  # every character that has a traditional form
        return "".join(table.get(ch, ch) for ch in name)
    i = rng.choice(positions)
    return name[:i] + table[name[i]] + name[i + 1 :]


def two_wrong(rng: random.Random, id_number: str) -> str:
    """Two wrong digits, and (so that only the name and the rest can tell) a wrong check."""
    while True:
        i, j = rng.sample(range(17), 2)
        typo = list(id_number)
        for k in (i, j):
            typo[k] = rng.choice([d for d in "0123456789" if d != id_number[k]])
        typo = "".join(typo)
        if not is_valid(typo):
            return typo


def phone_digit(rng: random.Random, phone: str) -> str:
    i = rng.randrange(3, 11)
    return phone[:i] + rng.choice([d for d in "0123456789" if d != phone[i]]) + phone[i + 1 :]


def phone_swap(rng: random.Random, phone: str) -> str | None:
    positions = [i for i in range(2, 10) if phone[i] != phone[i + 1]]
    if not positions:
        return None
    i = rng.choice(positions)
    return phone[:i] + phone[i + 1] + phone[i] + phone[i + 2 :]


def swapped(name: str) -> str | None:
    """The given name first: 张伟 -> 伟张 (single-character surnames, 2-3 characters)."""
    if "·" in name or len(name) not in (2, 3):
        return None
    return name[1:] + name[0]


MIDDLE = "小志建国文明"


def middle_char(rng: random.Random, name: str) -> str | None:
    if "·" in name:
        return None
    if len(name) == 3:
        return name[0] + name[2]
    if len(name) == 2:
        return name[0] + rng.choice([c for c in MIDDLE if c != name[1]]) + name[1]
    return None


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


def write_residents(directory: Path, rng: random.Random) -> list[tuple]:
    """The demo district's residents as (resident_id, name, id_number, phone, birth_date,
    household). Two changes to the demo's people, as real registries have them: in a third of
    the households of several, members without a phone of their own carry the household's
    (the head's) phone, and 0.3 % of the people have names written with "·"."""
    from outpost.demo.district import plan_demo_district

    plan = plan_demo_district(scale=1.0, seed=2020)
    households = plan.households
    sharing = {h for h in range(len(households)) if rng.random() < 1 / 3}
    residents = []
    for i, r in enumerate(plan.residents, start=1):
        phone, name = r.phone, r.name
        if not phone and r.household in sharing:
            phone = households[r.household].phone
        if rng.random() < 0.003 and r.id_number:
            name = f"{rng.choice(DOT_FIRST)}·{rng.choice(DOT_SECOND)}"
        residents.append((i, name, r.id_number, phone, r.birth_date, r.household))
    with open(directory / "residents.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["resident_id", "name", "id_number", "phone", "birth_date"])
        for rid, name, id_number, phone, birth, _household in residents:
            writer.writerow([rid, name, id_number, phone, birth.isoformat()])
    return residents


class _Feed:
    """The feed rows being generated, with their ground truth."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[tuple] = []
        self.truth: dict[int, list] = {}  # row_id -> [resident_ids, kind]

    def add(self, kind, rids, name, id_number="", phone="", birth=None) -> None:
        row_id = len(self.rows) + 1
        text = self.rng.choice(BIRTH_FORMATS)(birth) if birth else ""
        self.rows.append((row_id, name, id_number, phone, text))
        self.truth[row_id] = [rids, kind]


def generate(
    directory: Path,
    n_feed: int,
    n_true: int,
    xlsx_rows: int,
    seed: int = 4_7,
    parquet: bool = False,
) -> None:
    """The feed (csv, and Parquet with ``parquet``) and its truth. The true rows and the hard
    strangers are made here; the strangers with a common resident name (2 %) and the plain
    ones, in DuckDB (``_synthetic``), so that a feed of tens of millions takes minutes."""
    import duckdb
    import pyarrow as pa
    from _synthetic import strangers_sql, tables

    from outpost.demo import district as demo

    rng = random.Random(seed)
    residents = write_residents(directory, rng)
    gen = demo._Generator(random.Random(seed + 1))  # the demo's own name / ID / phone maker
    gen.id_prefixes.update(r[2][:17] for r in residents if r[2])
    gen.phones.update(r[3] for r in residents if r[3])

    feed = _Feed(rng)
    _add_true_rows(feed, rng, residents, n_true)
    _add_strangers(feed, rng, gen, residents, n_feed)
    k = len(feed.rows)
    n_same = (n_feed - k) // 50
    n_plain = n_feed - k - n_same
    con = duckdb.connect()
    tables(con, [name for name, _ in Counter(r[1] for r in residents).most_common(2000)])
    columns = list(zip(*feed.rows, strict=True))
    con.register(
        "py",
        pa.table(
            {"row_id": pa.array(columns[0], pa.int64())}
            | {c: pa.array(v, pa.string()) for c, v in zip(DTYPES, columns[1:], strict=True)}
        ),
    )
    con.execute(
        "CREATE TEMP TABLE res AS SELECT id_number, phone FROM read_csv(?, all_varchar = true)",
        [str(directory / "residents.csv")],
    )
    con.execute(  # and the 15-digit forms of their IDs
        """INSERT INTO res SELECT substr(id_number, 1, 6) || substr(id_number, 9, 9), ''
        FROM res WHERE substr(id_number, 7, 2) = '19'"""
    )
    # Plain strangers never carry a resident's ID or phone by chance.
    con.execute(
        f"""CREATE TEMP TABLE feed AS SELECT * FROM py UNION ALL SELECT * FROM (
            SELECT * FROM ({strangers_sql(k + 1, n_same, seed, common=True)})
            UNION ALL SELECT * FROM ({strangers_sql(k + 1 + n_same, n_plain, seed + 1)})) s
        WHERE upper(s.id_number) NOT IN (SELECT id_number FROM res WHERE id_number <> '')
          AND right(s.phone, 11) NOT IN (SELECT phone FROM res WHERE phone <> '')"""
    )
    order = "ORDER BY hash(row_id, 99)"
    con.execute(f"COPY (SELECT * FROM feed {order}) TO '{directory / 'feed.csv'}' (HEADER)")
    if parquet:
        con.execute(f"COPY (SELECT * FROM feed {order}) TO '{directory / 'feed.parquet'}'")
        con.execute(
            f"""COPY (SELECT * FROM read_csv('{directory / "residents.csv"}', types = {{
                'resident_id': 'BIGINT', 'birth_date': 'DATE'}}))
            TO '{directory / "residents.parquet"}'"""
        )
    truth = {str(k): v for k, v in feed.truth.items() if v[1] != "stranger"}
    ranges = [[k + 1, k + n_same, "stranger_same_name"]]
    rows = con.execute("SELECT count(*) FROM feed").fetchone()[0]
    with open(directory / "truth.json", "w") as fh:  # plain strangers are left out
        json.dump({"rows": rows, "truth": truth, "ranges": ranges}, fh)
    # The same feed without its birth date column: every row that is not a plain stranger,
    # and plain strangers up to 200,000 rows (the share of hard strangers is higher there).
    last = max(k + n_same, 200_000)
    con.execute(
        f"""COPY (SELECT row_id, name, id_number, phone FROM feed WHERE row_id <= {last}
        {order}) TO '{directory / "feed_nobirth.csv"}' (HEADER)"""
    )
    cut = con.execute(f"SELECT count(*) FROM feed WHERE row_id <= {last}").fetchone()[0]
    with open(directory / "truth_nobirth.json", "w") as fh:
        json.dump({"rows": cut, "truth": truth, "ranges": ranges}, fh)
    if xlsx_rows:
        write_xlsx(directory / "feed_cut.xlsx", feed.rows[:xlsx_rows])


def generate_city(directory: Path, n_residents: int, n_feed: int, seed: int = 11) -> None:
    """A city's registry (``n_residents`` synthetic people, ``_synthetic.city_residents``) and
    a feed of ``n_feed`` rows, both as Parquet: 1 % of the rows are residents (the ID with
    the name, or the phone with the name), 2 % strangers with common names, the rest plain
    strangers. No ground truth: this measures time and memory."""
    import duckdb
    from _synthetic import city_residents, strangers_sql, tables

    con = duckdb.connect(config=_limits(directory, "6GB"))
    con.execute("SET enable_progress_bar = false")
    city_residents(con, n_residents)
    con.execute(f"COPY residents TO '{directory / 'residents.parquet'}'")
    common = [
        r[0]
        for r in con.execute(
            "SELECT name FROM residents GROUP BY name ORDER BY count(*) DESC LIMIT 2000"
        ).fetchall()
    ]
    tables(con, common)
    n_true = n_feed // 100
    n_same = n_feed // 50
    n_plain = n_feed - n_true - n_same
    true_rows = f"""SELECT resident_id AS row_id, name,
            CASE WHEN resident_id % 10 < 7 THEN id_number ELSE '' END AS id_number,
            CASE WHEN resident_id % 10 >= 7 THEN phone ELSE '' END AS phone,
            strftime(birth_date, '%Y-%m-%d') AS birth_date
        FROM residents WHERE hash(resident_id, 5) % {max(1, n_residents // n_true)} = 0
        LIMIT {n_true}"""
    con.execute(
        f"""COPY (
            SELECT row_id + {n_feed} AS row_id, name, id_number, phone, birth_date FROM ({true_rows})
            UNION ALL SELECT * FROM ({strangers_sql(1, n_same, seed, common=True)})
            UNION ALL SELECT * FROM ({strangers_sql(1 + n_same, n_plain, seed + 1)})
        ) TO '{directory / "feed.parquet"}' (ROW_GROUP_SIZE 1000000)"""
    )
    con.close()
    shutil.rmtree(directory / "spill", ignore_errors=True)


def _add_true_rows(feed: _Feed, rng: random.Random, residents: list[tuple], n_true: int) -> None:
    """The true rows: distinct residents, each kind from the residents it can apply to, and
    one tie (a name + birth date two residents share)."""
    by_name_birth: dict[tuple, list] = defaultdict(list)
    for r in residents:
        by_name_birth[(r[1], r[4])].append(r)
    phone_count = Counter(r[3] for r in residents if r[3])
    pool = [r for r in residents if len(by_name_birth[(r[1], r[4])]) == 1]
    rng.shuffle(pool)
    used: set[int] = set()
    counts = {kind: round(share * n_true) for kind, share in CASES}
    # The rarer shapes first, so that they find their residents.
    for kind in sorted(counts, key=lambda k: k not in ("dot_name", "household_phone")):
        count = counts[kind]
        for r in pool:
            if count == 0:
                break
            if r[0] in used:
                continue
            feed_name = _true_name(rng, kind, r, phone_count)
            if feed_name is None:
                continue
            used.add(r[0])
            count -= 1
            _add_true_row(feed, rng, kind, r, feed_name)
    ties = [rs for rs in by_name_birth.values() if len(rs) > 1]
    if ties and n_true:
        tied = ties[0]
        feed.add("tie", sorted(r[0] for r in tied), tied[0][1], "", "", tied[0][4])


def _true_name(rng: random.Random, kind: str, resident: tuple, phone_count) -> str | None:
    """The name the feed gives the resident in a row of this kind, or None when the kind
    cannot apply to them (no ID, no phone, an ID that has no 15-digit form, no variant)."""
    _rid, name, id_number, phone, _birth, _household = resident
    shared = phone_count.get(phone, 0) > 1
    if (kind.startswith("id") or kind == "phone_typo_id") and not id_number:
        return None
    if kind == "id_15" and id_number[6:8] != "19":
        return None
    needs_phone = ("phone", "variant_phone", "name_swap", "middle_char", "household_phone")
    if kind.startswith(needs_phone) and not phone:
        return None
    if kind == "household_phone":
        return name if shared else None
    if kind.startswith("phone") and shared:  # the household's phone: the next kind's
        return None
    if kind == "dot_name":
        if "·" not in name:
            return None
        return name.replace("·", rng.choice(DOT_FORMS))
    if "·" in name:
        return None
    if kind == "traditional":
        return variant(rng, name, TRADITIONAL)
    if kind.startswith("variant") or kind == "id_error_variant":
        return variant(rng, name)
    if kind == "name_swap":
        return swapped(name)
    if kind == "middle_char":
        return middle_char(rng, name)
    return name


def _add_true_row(feed: _Feed, rng: random.Random, kind: str, resident: tuple, feed_name: str):
    rid, name, id_number, phone, birth, _household = resident

    def maybe(share: float):
        return birth if rng.random() < share else None

    if kind == "id_exact":
        phone_text = phone_format(rng, phone) if phone and rng.random() < 0.5 else ""
        feed.add(kind, [rid], name, id_number, phone_text, maybe(0.5))
    elif kind == "id_15":
        feed.add(kind, [rid], name, id_number[:6] + id_number[8:17])
    elif kind in ("id_digit", "id_swap", "id_check", "id_error_variant", "id_two_wrong"):
        typo = {
            "id_digit": digit_typo,
            "id_swap": swap_typo,
            "id_check": check_typo,
            "id_two_wrong": two_wrong,
        }.get(kind, rng.choice((digit_typo, swap_typo, check_typo)))
        with_phone = phone and rng.random() < 0.3
        feed.add(
            kind,
            [rid],
            feed_name,
            typo(rng, id_number),
            phone_format(rng, phone) if with_phone else "",
            maybe(1.0 if kind == "id_two_wrong" and not with_phone else 0.5),
        )
    elif kind in ("phone_digit", "phone_swap", "phone_typo_id"):
        typo = phone_swap(rng, phone) if kind == "phone_swap" else phone_digit(rng, phone)
        typo = typo or phone_digit(rng, phone)
        id_text = id_number if kind == "phone_typo_id" else ""
        feed.add(kind, [rid], feed_name, id_text, phone_format(rng, typo), maybe(0.5))
    elif kind in ("phone_only", "variant_phone", "household_phone", "name_swap", "middle_char"):
        feed.add(kind, [rid], feed_name, "", phone_format(rng, phone), maybe(0.4))
    elif kind in ("traditional", "dot_name"):
        if phone and rng.random() < 0.5:
            feed.add(kind, [rid], feed_name, "", phone_format(rng, phone), maybe(0.3))
        else:
            feed.add(kind, [rid], feed_name, "", "", birth)
    else:  # name_birth, variant_birth
        feed.add(kind, [rid], feed_name, "", "", birth)


def _add_strangers(feed: _Feed, rng: random.Random, gen, residents: list[tuple], n_feed: int):
    """The hard strangers: with a resident's name and birth date, on a household's phone with
    the family's surname, with a phone one digit from a resident's (the others: generate)."""
    from outpost.demo import district as demo

    regions = [code for code, _n, _group, _w in demo.names.REGIONS]

    def stranger_id(birth: datetime.date) -> str:
        return gen.id_number(rng.choice(regions), birth, gen.sex())

    def random_birth() -> datetime.date:
        return gen.birth(rng.randrange(1, 90))

    with_birth = [r for r in residents if r[2]]
    left = n_feed - len(feed.rows)
    n_same_birth = max(1, left // 2000)  # 0.05 %
    n_same_birth_no_id = min(10, max(1, n_same_birth // 50))
    for i in range(n_same_birth):
        _rid, name, _id, _phone, birth, _h = rng.choice(with_birth)
        if i < n_same_birth_no_id:  # no ID, but a phone that is not the resident's
            feed.add(
                "stranger_same_name_birth", [], name, "", phone_format(rng, gen.phone()), birth
            )
        else:
            feed.add("stranger_same_name_birth", [], name, stranger_id(birth), "", birth)
    _add_phone_strangers(feed, rng, gen, residents, stranger_id, random_birth, left)


def _add_phone_strangers(feed, rng, gen, residents, stranger_id, random_birth, left: int):
    """0.1 % on a household's shared phone with the family's surname and another given name
    (the phone of the family they stay with), 0.05 % with a phone one digit from a
    resident's and a name of their own."""
    from outpost.screening.engine import name_similarity

    members: dict[str, list[str]] = defaultdict(list)
    for r in residents:
        if r[3]:
            members[r[3]].append(r[1])
    shared = sorted(p for p, names in members.items() if len(names) > 1)
    phones = sorted(members)
    for _ in range(left // 1000):
        phone = rng.choice(shared)
        family = members[phone]
        surname = rng.choice(family)[0]
        for _attempt in range(20):
            name = gen.name(gen.sex(), surname=surname)
            if all(name_similarity(name, other) < 90 for other in family):
                break
        birth = random_birth()
        id_number = stranger_id(birth) if rng.random() < 0.3 else ""
        feed.add(
            "stranger_household_phone",
            [],
            name,
            id_number,
            phone_format(rng, phone),
            birth if rng.random() < 0.3 else None,
        )
    for _ in range(left // 2000):
        phone = phone_digit(rng, rng.choice(phones))
        if phone in members:
            continue
        feed.add("stranger_phone_edit", [], gen.name(gen.sex()), "", phone)


def write_xlsx(path: Path, rows: list[tuple]) -> None:
    """The first rows of the csv as an xlsx (write-only), birth dates as the csv has them."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("feed")
    sheet.append(["编号", "姓名", "身份证号", "手机号", "出生日期"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)


# ---------------------------------------------------------------------------- measured children

# Birth dates are read as text: the feed writes them in several formats, the engine reads them.
DTYPES = {"name": "VARCHAR", "id_number": "VARCHAR", "phone": "VARCHAR", "birth_date": "VARCHAR"}
RES_DTYPES = {"resident_id": "BIGINT", **DTYPES, "birth_date": "DATE"}


def feed_dtypes(path: Path) -> dict:
    """The csv's columns (the feed without birth dates has no such column)."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    return {c: t for c, t in {"row_id": "BIGINT", **DTYPES}.items() if c in header}


# How the bench's csv files are written (DuckDB's COPY ... (HEADER)): read so, without sniffing.
CSV_DIALECT = {
    "header": True,
    "sep": ",",
    "quotechar": '"',
    "escapechar": '"',
    "auto_detect": False,
}


def read_csv(con, path: Path, types: dict):
    """A csv the bench wrote, as a relation: its dialect and the header's columns with their
    types given. With ``dtype`` alone DuckDB sniffs the dialect and every column's type on a
    sample (~90 ms for the feed, ~40 ms for the residents, then overridden); with ``columns``
    alone it sniffs the dialect again each time the relation is bound (~20 ms each)."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    columns = {c: types.get(c, "VARCHAR") for c in header}
    return con.read_csv(str(path), columns=columns, **CSV_DIALECT)


def run_floor(directory: Path, threads: int) -> dict:
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    started = time.perf_counter()
    # Read as the engine's run reads it (read_csv below: no sniffing).
    con.execute(
        "CREATE TEMP TABLE f AS SELECT * FROM read_csv(?, header = true, columns = ?, "
        """auto_detect = false, delim = ',', quote = '"', escape = '"')""",
        [str(directory / "feed.csv"), {"row_id": "BIGINT", **DTYPES}],
    )
    # Touch every column, so that nothing is left lazy.
    con.execute(
        "SELECT count(row_id), count(name), count(id_number), count(phone), count(birth_date) "
        "FROM f"
    ).fetchall()
    return {"floor": time.perf_counter() - started}


def run_engine(
    directory: Path, feed_name: str = "feed.csv", memory: str = "", counts_only: bool = False
) -> dict:
    """The engine end to end in this process. ``counts_only``: the links are counted by status
    as they are iterated (a city's millions are never all Python objects at once), not
    returned."""
    _setup_django()
    import duckdb

    from outpost.screening.engine import match_feed

    started = time.perf_counter()
    con = duckdb.connect(config=_limits(directory, memory))
    path = directory / feed_name
    if path.suffix == ".parquet":
        residents = con.read_parquet(str(directory / "residents.parquet"))
        feed = con.read_parquet(str(path))
    else:
        residents = read_csv(con, directory / "residents.csv", RES_DTYPES)
        feed = read_csv(con, path, feed_dtypes(path))
    result = match_feed(residents, feed, con=con)
    if counts_only:  # what a caller storing the links would do: go through them once
        statuses = Counter(link.status for link in result.links)
    wall = time.perf_counter() - started
    report = {
        "wall": wall,
        "peak_mb": peak_mb(),
        "rows": len(result.links) + len(result.unmatched),
        "timings": result.timings,
    }
    if counts_only:
        return {**report, "statuses": statuses}
    links = [
        (
            link.row_id,
            link.resident_id,
            link.status,
            link.rule,
            [c.resident_id for c in link.candidates],
        )
        for link in result.links
    ]
    return {**report, "links": links}


def _limits(directory: Path, memory: str) -> dict:
    """DuckDB's memory limit and where it spills beyond it (removed by the parent)."""
    if not memory:
        return {}
    spill = directory / "spill"
    spill.mkdir(exist_ok=True)
    return {"memory_limit": memory, "temp_directory": str(spill), "threads": 2}


def run_baseline(directory: Path) -> dict:
    """The same rules as one DuckDB SQL cascade (bench/matching_sql_baseline.py)."""
    import duckdb
    from matching_sql_baseline import match_sql

    started = time.perf_counter()
    con = duckdb.connect()
    path = directory / "feed.csv"
    read_csv(con, directory / "residents.csv", RES_DTYPES).create_view("residents")
    read_csv(con, path, feed_dtypes(path)).create_view("feed")
    links = match_sql(con)
    return {
        "wall": time.perf_counter() - started,
        "peak_mb": peak_mb(),
        "links": links,
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
        stored = read_csv(duckdb.connect(), directory / "residents_enc.csv", RES_DTYPES).arrow()
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
    feed = read_csv(con, directory / "feed.csv", feed_dtypes(directory / "feed.csv"))
    result = match_feed(residents, feed, con=con)
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "read_residents": spent["read_residents"],
        "decrypt": spent["decrypt"],
        "values": spent["values"],
        "peak_mb": peak_mb(),
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


def child(mode: str, directory: Path, *extra: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--run",
            mode,
            "--dir",
            str(directory),
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- evaluation


def evaluate(truth_path: Path, links: list, label: str = "") -> dict:
    """Per case kind: what was linked automatically, what went to review, what was missed;
    precision, recall and F1 auto-only and auto + review; the review load."""
    with open(truth_path) as fh:
        data = json.load(fh)
    truth = {int(k): v for k, v in data["truth"].items()}
    for start, end, kind in data.get("ranges", ()):
        truth.update((row, [[], kind]) for row in range(start, end + 1))
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
        status = "auto" if status == "decided" else status
        c[status] += 1
        if kind == "tie":
            right = rid is None and sorted(cands) == true_rids and status == "review"
        else:
            right = bool(true_rids) and rid == true_rids[0]
        c[f"{'tp' if right else 'wrong'}_{status}"] += 1
        if not right and status == "auto" and len(wrong_examples) < 10:
            wrong_examples.append((row, kind, true_rids, rid, rule))
    print(
        f"\nper case kind{label}: n, auto right, review right, wrong auto, wrong review, "
        "missed; precision / recall / F1 auto only and auto + review"
    )
    print(
        f"{'case':26} {'n':>7} {'auto':>6} {'rev':>5} {'w.auto':>6} {'w.rev':>5} "
        f"{'missed':>6}  {'P a':>6} {'R a':>6} {'F1 a':>6}  {'P a+r':>6} {'R a+r':>6} "
        f"{'F1 a+r':>6}"
    )
    totals: Counter = Counter()
    for kind in sorted(per_kind, key=lambda k: (k not in TRUE_KINDS, k)):
        c = per_kind[kind]
        totals.update({k: v for k, v in c.items()})
        if kind in TRUE_KINDS:
            totals.update({f"true_{k}": v for k, v in c.items()})
        missed = c["n"] - c["auto"] - c["review"]
        line = (
            f"{kind:26} {c['n']:7} {c['tp_auto']:6} {c['tp_review']:5} {c['wrong_auto']:6} "
            f"{c['wrong_review']:5} {missed:6}"
        )
        if kind in TRUE_KINDS:
            for keys in (("auto",), ("auto", "review")):
                line += "  " + " ".join(f"{v:6.4f}" for v in _prf(c, keys, c["n"]))
        print(line)
    rows = data["rows"]
    positives = totals["true_n"]
    summary = {}
    for name, keys in (("auto only", ("auto",)), ("auto + review", ("auto", "review"))):
        precision, recall, f1 = _prf(
            Counter({k[5:]: v for k, v in totals.items() if k.startswith("true_")})
            | Counter({f"{s}": totals[s] for s in keys}),
            keys,
            positives,
        )
        summary[name] = (precision, recall, f1)
        print(f"{name:14} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    review = totals["review"]
    true_review = totals["true_review"]
    stranger_review = review - true_review
    # The kinds that carry enough to decide: the review share the target is about
    # (the review-by-design kinds are oversampled here, 5 % of the true rows, to test them).
    decidable = [k for k in per_kind if k in TRUE_KINDS and k not in REVIEW_KINDS]
    decidable_n = sum(per_kind[k]["n"] for k in decidable)
    decidable_review = sum(per_kind[k]["review"] for k in decidable)
    print(
        f"review load: {review} items, {review / rows * 1000:.2f} per 1,000 feed rows; "
        f"true links sent to review {true_review} of {positives} "
        f"({true_review / max(positives, 1) * 100:.2f} %, of which by design "
        f"{sum(per_kind[k]['review'] for k in REVIEW_KINDS)}: {', '.join(sorted(REVIEW_KINDS))};"
        f" of the kinds that carry enough to decide {decidable_review} of {decidable_n}, "
        f"{decidable_review / max(decidable_n, 1) * 100:.2f} %);"
        f" strangers sent to review {stranger_review} "
        f"({stranger_review / rows * 1000:.3f} per 1,000 feed rows)"
    )
    print("wrong automatic links:", totals["wrong_auto"], wrong_examples or "")
    summary["wrong_auto"] = totals["wrong_auto"]
    return summary


def _prf(c: Counter, keys: tuple, positives: int) -> tuple[float, float, float]:
    tp = sum(c[f"tp_{s}"] for s in keys)
    predicted = sum(c[s] for s in keys)
    precision = tp / predicted if predicted else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed-rows", type=int, default=2_000_000)
    parser.add_argument("--true-rows", type=int, default=3_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--xlsx-read", action="store_true", help="also time reading the xlsx")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads of the floor")
    parser.add_argument("--dir", type=Path, default=None, help="cache of the generated files")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the floor, the engine (plain and encrypted) and the baseline this many times; "
        "best of each",
    )
    parser.add_argument("--no-encrypted", action="store_true", help="skip the encrypted run")
    parser.add_argument(
        "--parquet", action="store_true", help="also write the feed as Parquet and run from it"
    )
    parser.add_argument(
        "--memory-limit", default="", help="DuckDB's memory limit (e.g. 3GB); spills beyond it"
    )
    parser.add_argument(
        "--city",
        type=int,
        default=0,
        metavar="RESIDENTS",
        help="a synthetic city of this many residents against --feed-rows rows from Parquet "
        "(time and memory only, no ground truth)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the SQL baseline")
    parser.add_argument("--run", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--feed", default="feed.csv", help=argparse.SUPPRESS)
    parser.add_argument("--counts-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # a measured child process
        runs = {
            "floor": lambda: run_floor(args.dir, args.threads),
            "xlsx": lambda: run_xlsx_read(args.dir),
            "engine_enc": lambda: run_engine_encrypted(args.dir),
            "baseline": lambda: run_baseline(args.dir),
            "engine": lambda: run_engine(args.dir, args.feed, args.memory_limit, args.counts_only),
        }
        print(json.dumps(runs[args.run]()))
        return
    directory = args.dir or Path(
        tempfile.gettempdir(), f"outpost-bench-match-{args.feed_rows}-{args.true_rows}"
    )
    directory.mkdir(parents=True, exist_ok=True)
    if args.city:
        city(directory, args)
        return
    if not (directory / "truth.json").exists():
        started = time.perf_counter()
        _setup_django()
        generate(
            directory,
            args.feed_rows,
            args.true_rows,
            min(args.xlsx_rows, args.feed_rows),
            parquet=args.parquet,
        )
        print(f"generated in {time.perf_counter() - started:.1f} s into {directory}")
    measure(directory, args)


def city(directory: Path, args) -> None:
    """The city-sized run: generated once (not timed), then the engine from Parquet within
    the memory limit, in a child; the spill directory is removed afterwards."""
    if not (directory / "feed.parquet").exists():
        started = time.perf_counter()
        _setup_django()
        generate_city(directory, args.city, args.feed_rows)
        print(f"generated in {time.perf_counter() - started:.1f} s into {directory}")
    memory = args.memory_limit or "4GB"
    try:
        run = child(
            "engine", directory, "--feed", "feed.parquet", "--memory-limit", memory, "--counts-only"
        )
    finally:
        shutil.rmtree(directory / "spill", ignore_errors=True)
    statuses = run["statuses"]
    print(
        f"city: {run['rows']:,} feed rows (Parquet) x {args.city:,} residents: "
        f"{run['wall']:.1f} s end to end, peak memory {run['peak_mb']:.0f} MB "
        f"(DuckDB memory limit {memory}, spilling to {directory / 'spill'}); "
        f"links {dict(statuses)}"
    )
    print("cumulative stage times:", {k: round(v, 1) for k, v in run["timings"].items()})


def _wall(run: dict) -> float:
    return run["wall"]


def measure(directory: Path, args) -> None:
    # The floor and the engine alternately, best of each: the machine's speed drifts between
    # minutes, and a floor from one run would flatter or wrong the ratio.
    engine_args = ["--memory-limit", args.memory_limit] if args.memory_limit else []
    floors, runs = [], []
    for _ in range(args.repeat):
        floors.append(child("floor", directory)["floor"])
        runs.append(child("engine", directory, *engine_args))
    floor = min(floors)
    report = min(runs, key=_wall)
    wall = report["wall"]
    n_res = sum(1 for _ in open(directory / "residents.csv", encoding="utf-8")) - 1
    print(
        f"{report['rows']:,} feed rows x {n_res:,} residents: {wall:.2f} s end to end "
        f"(read + match, best of {args.repeat}), {report['rows'] / wall:,.0f} rows/s, peak "
        f"memory {report['peak_mb']:.0f} MB; DuckDB reading the csv into a table alone "
        f"{floor:.2f} s, best of {args.repeat} (ratio {wall / floor:.1f}x)"
    )
    print("cumulative stage times:", {k: round(v, 2) for k, v in report["timings"].items()})
    if args.parquet and (directory / "feed.parquet").exists():
        pq = child("engine", directory, "--feed", "feed.parquet", *engine_args)
        print(
            f"the same from Parquet: {pq['wall']:.2f} s end to end, peak memory "
            f"{pq['peak_mb']:.0f} MB"
        )
    if not args.no_baseline:
        base = min((child("baseline", directory) for _ in range(args.repeat)), key=_wall)
        print(
            f"SQL baseline (the same rules as one DuckDB SQL cascade, no Python): "
            f"{base['wall']:.2f} s (best of {args.repeat}), peak memory {base['peak_mb']:.0f} MB; the engine is "
            f"{base['wall'] / wall:.1f}x faster"
        )
    if not args.no_encrypted:
        ensure_encrypted_residents(directory)
        encrypted = child("engine_enc", directory)
        same = [tuple(link) for link in encrypted["links"]] == sorted(
            (row, rid, status, rule) for row, rid, status, rule, _c in report["links"]
        )
        print(
            f"with the residents' IDs and phones encrypted at rest: {encrypted['wall']:.2f} s "
            f"end to end ({(encrypted['wall'] / wall - 1) * 100:+.1f} %), reading the "
            f"ciphertexts ({encrypted['read_residents']:.2f} s) and decrypting "
            f"{encrypted['values']:,} values in bulk ({encrypted['decrypt']:.2f} s) in a thread "
            "while DuckDB reads the feed; "
            f"same links: {same}"
        )
    if args.xlsx_read and (directory / "feed_cut.xlsx").exists():
        x = child("xlsx", directory)
        print(f"openpyxl reading the xlsx cut ({x['xlsx_rows']:,} rows): {x['xlsx_read']:.1f} s")
    evaluate(directory / "truth.json", report["links"])
    if not args.no_baseline:
        evaluate(directory / "truth.json", base["links"], " (SQL baseline)")
    if (directory / "feed_nobirth.csv").exists():
        nobirth = child("engine", directory, "--feed", "feed_nobirth.csv")
        evaluate(directory / "truth_nobirth.json", nobirth["links"], " (feed without birth dates)")
    shutil.rmtree(directory / "spill", ignore_errors=True)


if __name__ == "__main__":
    main()
