#!/usr/bin/env python
"""Time the questions' Chinese search and compare character bigrams with jieba words.

    .venv/bin/python bench/inquiries_search.py [--questions 10000] [--faq 500] [--keep]
    DATABASE_URL=postgres://… .venv/bin/python bench/inquiries_search.py   (PostgreSQL)

Builds a fresh database (SQLite in a temporary var dir unless DATABASE_URL names one) with
`--questions` questions and `--faq` published FAQ entries made from templates (who asks ×
what about, in several wordings), then:

1. times the search the pages use (`search.search_faq`, `search.search_questions`) for
   paraphrased queries: median, 95th percentile and slowest, in ms; fails above 50 ms median;
2. compares ranking quality on the same queries (the entry made for the query's who and
   what found first: top-1 and top-3) for bigrams (the index the app keeps) and for jieba
   words (`jieba.lcut_for_search`, ranked the same way in memory), with jieba's dictionary
   load time and the segmentation time of all texts, when jieba can be imported.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _district import fresh_var_dir, migrate, setup_django

TARGET_MS = 50
WHO = [
    "外地返连人员",
    "居家隔离人员",
    "企业员工",
    "租户",
    "老人",
    "学生",
    "孕妇",
    "快递员",
    "外卖骑手",
    "个体商户",
    "出租车司机",
    "物业人员",
    "志愿者",
    "医护人员家属",
    "网格员",
    "密切接触者",
    "湖北来连人员",
    "留学回国人员",
    "装修工人",
    "保姆",
    "房东",
    "小区业主",
    "残疾人",
    "低保户",
    "退休职工",
    "新生儿家长",
    "透析病人",
    "孤寡老人",
    "外籍人员",
    "农民工",
    "大学生",
    "企业老板",
    "超市员工",
    "保安",
    "环卫工人",
    "司机",
    "厨师",
    "教师",
    "律师",
    "银行职员",
    "药店店员",
    "民宿经营者",
    "货车司机",
    "护工",
    "社区干部",
    "党员",
    "复员军人",
]
WHAT = [
    ("需要隔离几天", ["要隔离多久", "隔离多少天", "得隔离几天啊"]),
    ("出入证怎么办理", ["出入证在哪办", "通行证怎么申请", "怎么领出入证"]),
    ("核酸检测去哪里做", ["在哪做核酸", "核酸检测点在哪", "去哪检测核酸"]),
    ("可以出门买菜吗", ["能出去买菜吗", "买菜可以出门吗", "能不能出门采购"]),
    ("口罩在哪里领取", ["口罩去哪领", "哪里能领口罩", "怎么领取口罩"]),
    ("发烧了应该怎么办", ["发热了怎么办", "体温高了怎么处理", "发烧去哪里看"]),
    ("能否返岗复工", ["可以复工吗", "什么时候能上班", "能回单位上班吗"]),
    ("快递怎么取", ["快递能送进来吗", "怎么拿快递", "取快递要出门吗"]),
    ("健康码变红怎么办", ["健康码红了怎么办", "红码怎么处理", "码变红了咋办"]),
]


def faq_texts(count: int) -> list[tuple[str, str, tuple[int, int]]]:
    combos = [(w, t) for t in range(len(WHAT)) for w in range(len(WHO))][:count]
    return [
        (
            f"{WHO[w]}{WHAT[t][0]}",
            f"{WHO[w]}请按最新通知执行：{WHAT[t][0][:4]}事宜由社区统一安排。",
            (w, t),
        )
        for w, t in combos
    ]


def queries(rng: random.Random, combos: list[tuple[int, int]], n: int):
    """Paraphrased queries, each with the (who, what) it is about."""
    picked = [rng.choice(combos) for _ in range(n)]
    return [(f"请问{WHO[w]}{rng.choice(WHAT[t][1])}？", (w, t)) for w, t in picked]


def build(n_questions: int, n_faq: int, rng: random.Random):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from outpost.core.choices import UnitKind
    from outpost.core.models import Unit
    from outpost.inquiries.choices import FaqStatus
    from outpost.inquiries.models import FaqEntry, InquiryTerm, Question
    from outpost.inquiries.search import faq_index_rows, question_index_rows

    station = Unit(
        code="BENCH-Q", name="答疑基准派出所", kind=UnitKind.STATION, path="BENCH-Q/", depth=0
    )
    station.save()
    communities = []
    for i in range(10):
        unit = Unit(
            code=f"BENCH-Q{i}",
            name=f"答疑基准第{i}社区",
            kind=UnitKind.COMMUNITY,
            parent=station,
            path=Unit.build_path(station, f"BENCH-Q{i}"),
            depth=1,
        )
        unit.save()
        communities.append(unit)
    author = User.objects.create_user(username="bench")
    now = timezone.now()
    started = time.perf_counter()
    entries = [
        FaqEntry(
            unit=station,
            category="other",
            question=q,
            answer=a,
            status=FaqStatus.PUBLISHED,
            proposed_by=author,
            proposed_at=now,
        )
        for q, a, _combo in faq_texts(n_faq)
    ]
    rows = faq_index_rows(entries)
    FaqEntry.objects.bulk_create(entries)
    InquiryTerm.objects.bulk_create(rows, batch_size=5000)
    questions = []
    for i in range(n_questions):
        w, t = rng.randrange(len(WHO)), rng.randrange(len(WHAT))
        text = (
            f"{WHO[w]}{rng.choice(WHAT[t][1])}，{rng.choice(['谢谢', '急', '在线等', '麻烦回复'])}"
        )
        questions.append(
            Question(
                unit=communities[i % 10],
                channel="chat",
                text=text,
                token_hash=f"{i:064d}",
                received_at=now,
                due_at=now,
                status="answered",
                answer="按通知执行。",
            )
        )
    rows = question_index_rows(questions)
    Question.objects.bulk_create(questions, batch_size=2000)
    InquiryTerm.objects.bulk_create(rows, batch_size=5000)
    print(
        f"built {n_faq} FAQ entries and {n_questions} questions "
        f"({InquiryTerm.objects.count()} index rows) in {time.perf_counter() - started:.1f} s"
    )
    return [e.question for e in entries], [q.text for q in questions]


def time_search(qs) -> bool:
    from outpost.inquiries import search
    from outpost.inquiries.models import FaqEntry, Question

    entries, questions = FaqEntry.objects.filter(status="published"), Question.objects.all()
    for kind, run in (
        ("FAQ", lambda q: search.search_faq(q, entries)),
        ("questions", lambda q: search.search_questions(q, questions)),
    ):
        run(qs[0][0])  # warm-up
        times = []
        for query, _combo in qs:
            started = time.perf_counter()
            run(query)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        median = statistics.median(times)
        print(
            f"search {kind:<10} median {median:6.1f} ms  p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms"
            f"  max {times[-1]:6.1f} ms  ({len(times)} queries)"
        )
        if median > TARGET_MS:
            return False
    return True


def _rank(index, lengths, query_terms, k=3):
    shared = Counter()
    for term in set(query_terms):
        for doc in index.get(term, ()):
            shared[doc] += 1
    scored = sorted(shared, key=lambda d: -2 * shared[d] / (len(set(query_terms)) + lengths[d]))
    return scored[:k]


def compare(faq: list[str], qs, n_texts: list[str]) -> None:
    from outpost.inquiries.search import terms as bigrams

    combos = [c for _q, _a, c in faq_texts(len(faq))]
    tokenizers = {"bigrams": bigrams}
    try:
        import jieba

        jieba.setLogLevel(60)
        started = time.perf_counter()
        jieba.initialize()
        print(
            f"jieba {jieba.__version__}: dictionary load {time.perf_counter() - started:.2f} s per process"
        )
        stop = {"请问", "吗", "？", "，", "的", "了", "啊", "怎么", "什么"}
        tokenizers["jieba"] = lambda text: [
            w for w in jieba.lcut_for_search(text) if w.strip() and w not in stop
        ]
    except ImportError:
        print("jieba not importable: only bigrams measured")
    for name, tokenize in tokenizers.items():
        started = time.perf_counter()
        for text in n_texts:
            tokenize(text)
        seg_ms = (time.perf_counter() - started) * 1000
        index, lengths = defaultdict(list), {}
        for doc, text in enumerate(faq):
            found = set(tokenize(text))
            lengths[doc] = len(found)
            for term in found:
                index[term].append(doc)
        top1 = top3 = 0
        for query, combo in qs:
            ranked = _rank(index, lengths, tokenize(query))
            truth = combos.index(combo)
            top1 += bool(ranked) and ranked[0] == truth
            top3 += truth in ranked
        print(
            f"{name:<8} top-1 {top1 / len(qs):5.1%}  top-3 {top3 / len(qs):5.1%}  "
            f"terms {sum(len(v) for v in index.values())}  segmenting {len(n_texts)} texts {seg_ms:6.0f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--faq", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(18)
    with fresh_var_dir(keep=args.keep, prefix="outpost-bench-inquiries-"):
        setup_django()
        migrate()
        from django.db import connection

        print(f"database: {connection.vendor}")
        faq, texts = build(args.questions, args.faq, rng)
        combos = [c for _q, _a, c in faq_texts(args.faq)]
        qs = queries(rng, combos, args.queries)
        ok = time_search(qs)
        compare(faq, qs, texts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
