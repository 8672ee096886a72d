"""The demo's questions and answers (网上答疑): a few hundred questions over the fourteen
days up to `today`, through every channel, most answered within the deadline by the
community's cadre, a few handed off or overdue; a dozen FAQ entries of the station citing
the demo's notices, one of them stale because the notice it cites was replaced (the
notices' second version). Deterministic; bulk inserts.

Called from `build_enterprise_activity` (after the notices): ``build_inquiries(seed=…,
today=…)``."""

from __future__ import annotations

import datetime
import hashlib
import random

from django.contrib.auth.models import User

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.demo.clock import at
from outpost.enterprises.notices.models import Notice
from outpost.inquiries.choices import Channel, FaqCategory, FaqStatus, QuestionStatus, Urgency
from outpost.inquiries.models import FaqEntry, InquiryTerm, Question
from outpost.inquiries.search import faq_index_rows, question_index_rows
from outpost.inquiries.services import answer_due

# (category, question, answer, title fragment of the notice it cites or "")
FAQ = [
    (
        FaqCategory.TRAVEL,
        "外地返连需要隔离几天",
        "外地返连人员须居家隔离观察，天数以最新通知为准，每日两次上报体温。",
        "外地返连员工隔离观察的最新要求",
    ),
    (
        FaqCategory.ISOLATION,
        "居家隔离期间可以取快递吗",
        "居家隔离期间请勿外出，快递由网格员代取并放在门口。",
        "",
    ),
    (FaqCategory.PASSES, "小区出入证怎么办理", "持本人身份证件到社区居委会办理，每户一证。", ""),
    (FaqCategory.TESTING, "核酸检测在哪里做", "到社区卫生服务中心检测，请错峰前往并佩戴口罩。", ""),
    (
        FaqCategory.SUPPLIES,
        "小区超市几点营业",
        "小区超市每天8点至18点营业，请排队保持一米间距。",
        "",
    ),
    (
        FaqCategory.WORK,
        "企业复工需要办理什么手续",
        "企业复工须落实防控措施并向街道报备，详见复工复产通知。",
        "企业复工复产疫情防控工作",
    ),
    (
        FaqCategory.WORK,
        "员工返岗要申报健康情况吗",
        "返岗员工须如实填报健康申报表，由企业汇总报送。",
        "员工返岗健康申报须知",
    ),
    (
        FaqCategory.SUPPLIES,
        "口罩在哪里领取",
        "防护物资按捐赠与领取办法发放，凭出入证到居委会领取。",
        "口罩等防护物资捐赠与领取办法",
    ),
    (
        FaqCategory.ISOLATION,
        "发烧了应该怎么办",
        "体温37.3℃以上请立即告知社区，不要自行前往医院，由社区安排转运。",
        "",
    ),
    (
        FaqCategory.OTHER,
        "宠物可以出门遛吗",
        "请尽量减少外出，遛宠物时间不超过15分钟并佩戴口罩。",
        "",
    ),
    (
        FaqCategory.WORK,
        "企业宿舍有什么防疫要求",
        "集体宿舍须每日消毒通风，按企业集体宿舍防疫管理规范执行。",
        "企业集体宿舍防疫管理规范",
    ),
    (
        FaqCategory.WORK,
        "食堂可以堂食吗",
        "企业食堂实行分餐错峰就餐，不得聚集用餐。",
        "企业食堂分餐错峰就餐指引",
    ),
]
# Ways residents ask the same things (the FAQ's index, then the words).
ASKED = [
    (0, ["我从外地回来要隔离多久？", "返连人员隔离几天啊", "刚从外地返回大连需要居家隔离吗"]),
    (1, ["隔离期间能不能下楼拿快递", "居家隔离快递怎么取"]),
    (2, ["出入证在哪办？", "小区通行证怎么申请", "租户能办出入证吗"]),
    (3, ["哪里可以做核酸", "核酸检测点在哪", "做核酸需要预约吗"]),
    (4, ["超市几点开门", "小区超市现在营业吗"]),
    (5, ["我们公司什么时候可以复工", "企业复工要什么材料"]),
    (6, ["返岗前要填健康表吗"]),
    (7, ["口罩去哪领", "能领到口罩吗"]),
    (8, ["家里老人发烧了怎么办", "有点发热需要去医院吗"]),
    (9, ["可以遛狗吗"]),
    (10, ["宿舍要消毒吗"]),
    (11, ["公司食堂还能吃饭吗"]),
    (
        None,
        [
            "楼道里有人不戴口罩怎么办",
            "物业不让外卖进小区合理吗",
            "孩子网课流量不够怎么办",
            "房东不让租户回来怎么办",
        ],
    ),
]
CHANNELS = (
    [Channel.CHAT_GROUP] * 5 + [Channel.PHONE] * 3 + [Channel.PUBLIC_PAGE] * 2 + [Channel.WALK_IN]
)
PER_COMMUNITY_PER_DAY = 3  # at scale 1 with ten communities: ~420 questions over 14 days


def _notice_for(fragment: str, notices: list[Notice]) -> Notice | None:
    if not fragment:
        return None
    found = [n for n in notices if fragment in n.title]
    # The first (oldest) match: the demo's replaced notice keeps one entry stale.
    return found[0] if found else None


def _faq_entries(station: Unit, author: User, notices: list[Notice], today) -> list[FaqEntry]:
    entries = []
    for category, question, answer, fragment in FAQ:
        notice = _notice_for(fragment, notices)
        entry = FaqEntry(
            unit=station,
            category=category,
            question=question,
            answer=answer,
            notice=notice,
            status=FaqStatus.PUBLISHED,
            proposed_by=author,
            proposed_at=at(today - datetime.timedelta(days=13), 8),
            reviewed_by=author,
            reviewed_at=at(today - datetime.timedelta(days=13), 9),
        )
        if notice is not None and notice.is_superseded:
            entry.status = FaqStatus.STALE
            entry.stale_notice = notice
            entry.stale_since = notice.superseded_by.pushed_at
        entries.append(entry)
    rows = faq_index_rows(entries)
    FaqEntry.objects.bulk_create(entries)
    InquiryTerm.objects.bulk_create(rows, batch_size=2000)
    return entries


def build_inquiries(*, seed: int, today: datetime.date) -> int:
    """Write the demo's questions and FAQ; returns how many rows were written."""
    station = Unit.objects.filter(kind=UnitKind.STATION).order_by("pk").first()
    author = (
        User.objects.filter(username="leader").first()
        or User.objects.filter(username="officer01").first()
    )
    if station is None or author is None:
        return 0
    rng = random.Random(seed * 31 + 18)
    notices = list(
        Notice.objects.filter(unit__path__startswith=station.path).order_by("pushed_at", "pk")
    )
    entries = _faq_entries(station, author, notices, today)
    communities = list(
        Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True).order_by("path")
    )
    cadres = {
        u.staff_profile.unit_id: u
        for u in User.objects.filter(username__startswith="cadre").select_related("staff_profile")
        if hasattr(u, "staff_profile")
    }
    now = at(today, 12)
    questions = []
    for days_before in range(13, -1, -1):
        day = today - datetime.timedelta(days=days_before)
        for community in communities:
            for n in range(PER_COMMUNITY_PER_DAY + rng.randint(-1, 2)):
                faq_index, texts = rng.choice(ASKED)
                received = at(day, rng.randint(7, 21), rng.randint(0, 59))
                if received > now:
                    continue
                urgency = Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL
                question = Question(
                    unit=community,
                    channel=rng.choice(CHANNELS),
                    text=rng.choice(texts),
                    phone=f"139{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.4 else "",
                    token_hash=hashlib.sha256(
                        f"demo-{seed}-{community.pk}-{day}-{n}".encode()
                    ).hexdigest(),
                    urgency=urgency,
                    received_at=received,
                    due_at=answer_due(received, urgency),
                    created_by=cadres.get(community.pk),
                )
                _outcome(question, rng, entries, faq_index, cadres.get(community.pk), now)
                questions.append(question)
    rows = question_index_rows(questions)
    Question.objects.bulk_create(questions, batch_size=500)
    InquiryTerm.objects.bulk_create(rows, batch_size=2000)
    return len(entries) + len(questions) + len(rows)


def _outcome(question: Question, rng, entries, faq_index, cadre, now) -> None:
    """Most answered within the deadline (with the FAQ entry when there is one), a few
    handed off, a few still open (some of them overdue)."""
    luck = rng.random()
    if cadre is None or luck < 0.08:
        return  # still open
    if faq_index is None and luck < 0.2:
        question.status = QuestionStatus.HANDED_OFF
        question.handed_to = "区市场监督管理局" if "物业" in question.text else "街道办事处"
        question.handed_at = question.received_at + datetime.timedelta(minutes=40)
        question.handed_by = cadre
        return
    minutes = rng.randint(10, 100) if luck < 0.9 else rng.randint(130, 400)
    answered = question.received_at + datetime.timedelta(minutes=minutes)
    if answered > now:
        return
    entry = entries[faq_index] if faq_index is not None else None
    question.status = QuestionStatus.ANSWERED
    question.answered_at = answered
    question.answered_by = cadre
    question.answer = entry.answer if entry is not None else "已转告相关部门，请留意社区通知。"
    question.faq_used = entry
    question.notice = entry.notice if entry is not None else None
