"""The demo's notices to enterprises (权威信息推送): ten notices over the fourteen days up to
`today`, from the city's, district's and station's authorities, one replaced by its second
version; most enterprises confirmed each within hours, a few were escalated along the ladder
(inbox, SMS, the officer's call), and the latest notice is still open. Deterministic, and
written with bulk inserts (a few thousand rows in well under a second per hundred
enterprises).

Called where the demo builds its enterprises: ``notices_build(enterprises=…, author=…,
today=…)``."""

from __future__ import annotations

import datetime

from outpost.demo.clock import at
from outpost.enterprises.notices.choices import ConfirmedVia, EscalationLevel, EscalationStep
from outpost.enterprises.notices.models import Notice, NoticeEscalation, NoticeReceipt

# (days before today, hour, title, source authority)
NOTICES = [
    (13, 9, "关于做好企业复工复产疫情防控工作的通知", "大连市新冠肺炎疫情防控指挥部"),
    (12, 15, "企业员工返岗健康申报须知", "中山区疫情防控指挥部"),
    (11, 10, "关于严格落实企业门岗测温登记制度的通知", "哈尔滨路派出所"),
    (9, 9, "重点保供企业物资运输绿色通道办理指南", "大连市工业和信息化局"),
    (8, 14, "企业集体宿舍防疫管理规范", "中山区疫情防控指挥部"),
    (6, 9, "关于外地返连员工隔离观察的最新要求", "大连市新冠肺炎疫情防控指挥部"),
    (5, 11, "企业食堂分餐错峰就餐指引", "中山区市场监督管理局"),
    (4, 9, "口罩等防护物资捐赠与领取办法", "哈尔滨路派出所"),
    (2, 10, "关于外地返连员工隔离观察的最新要求（第二版）", "大连市新冠肺炎疫情防控指挥部"),
    (0, 9, "关于做好近期企业员工每日健康监测报送的通知", "中山区疫情防控指挥部"),
]
# The ninth notice is the second version of the sixth.
SUPERSEDED = {8: 5}
BODY = (
    "各企业：\n请认真阅读本通知，组织全体员工学习，按要求落实各项防控措施，"
    "并于截止时间前在平安之家点击“我已阅知，确认”。\n如有疑问请联系社区民警。"
)


def notices_build(
    *, enterprises, author, today: datetime.date, officers=None, liaisons=None
) -> list[Notice]:
    """Ten notices pushed by `author` to every enterprise of `enterprises` (a list), with
    their receipts and escalations as of `today`. `officers` maps an enterprise's pk to the
    officer phoned for it (default: the author), `liaisons` to its liaison's login (who
    confirms; default: nobody named)."""
    officers, liaisons = officers or {}, liaisons or {}
    notices = []
    for index, (days_before, hour, title, authority) in enumerate(NOTICES):
        pushed = at(today - datetime.timedelta(days=days_before), hour)
        notices.append(
            Notice(
                unit=author.staff_profile.unit,
                title=title,
                body=BODY,
                source_authority=authority,
                version=2 if index in SUPERSEDED else 1,
                deadline=pushed + datetime.timedelta(hours=24),
                pushed_at=pushed,
                created_by=author,
            )
        )
    Notice.objects.bulk_create(notices)
    for new, old in SUPERSEDED.items():
        notices[new].supersedes = notices[old]
    Notice.objects.bulk_update([notices[new] for new in SUPERSEDED], ["supersedes"])

    receipts, steps = [], []
    last = len(notices) - 1
    for n, notice in enumerate(notices):
        for e, enterprise in enumerate(enterprises):
            receipt = NoticeReceipt(notice=notice, enterprise=enterprise)
            turn = (n * 7 + e * 3) % 20
            if n == last and turn >= 8:
                pass  # today's notice: still open for most
            elif turn == 0 and n < last and n not in SUPERSEDED.values():
                # Never confirmed: the whole ladder, the call still to make for the latest.
                receipt.escalation_level = EscalationLevel.CALL
                receipt.escalated_at = notice.deadline + datetime.timedelta(hours=4)
                receipt.call_officer = officers.get(enterprise.pk, author)
                if n < last - 2:
                    receipt.call_done_at = receipt.escalated_at + datetime.timedelta(hours=1)
                    receipt.confirmed_at = receipt.call_done_at
                    receipt.confirmed_by = receipt.call_officer
                    receipt.confirmed_via = ConfirmedVia.PHONE
                steps.append((receipt, turn))
            elif turn == 1 and n < last:
                # Confirmed after the inbox reminder.
                receipt.escalation_level = EscalationLevel.INBOX
                receipt.escalated_at = notice.deadline
                receipt.confirmed_at = notice.deadline + datetime.timedelta(hours=1, minutes=e % 50)
                receipt.confirmed_by = liaisons.get(enterprise.pk)
                receipt.confirmed_via = ConfirmedVia.LIAISON
                steps.append((receipt, turn))
            else:
                receipt.confirmed_at = notice.pushed_at + datetime.timedelta(
                    hours=1 + (e + n) % 6, minutes=(e * 13) % 60
                )
                receipt.confirmed_by = liaisons.get(enterprise.pk)
                receipt.confirmed_via = ConfirmedVia.LIAISON
            receipts.append(receipt)
    NoticeReceipt.objects.bulk_create(receipts, batch_size=1000)
    log = []
    for receipt, turn in steps:
        deadline = receipt.notice.deadline
        log.append(NoticeEscalation(receipt=receipt, step=EscalationStep.INBOX, at=deadline))
        if turn == 0:
            log.append(
                NoticeEscalation(
                    receipt=receipt,
                    step=EscalationStep.SMS,
                    at=deadline + datetime.timedelta(hours=2),
                )
            )
            log.append(
                NoticeEscalation(
                    receipt=receipt,
                    step=EscalationStep.CALL_TASK,
                    at=receipt.escalated_at,
                    detail=str(receipt.call_officer.staff_profile)
                    if hasattr(receipt.call_officer, "staff_profile")
                    else "",
                )
            )
            if receipt.call_done_at:
                log.append(
                    NoticeEscalation(
                        receipt=receipt,
                        step=EscalationStep.CALL_MADE,
                        at=receipt.call_done_at,
                        by=receipt.call_officer,
                        detail="联络员电话中确认已阅知",
                    )
                )
    NoticeEscalation.objects.bulk_create(log, batch_size=1000)
    return notices
