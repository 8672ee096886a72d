"""WeCom (企业微信): application messages to members (`message/send`, with the access
token fetched by `gettoken` and kept in the cache until shortly before it expires) and
group-robot webhooks (`webhook/send`). Plain HTTPS calls, documented by WeCom's server API."""

from __future__ import annotations

import json
import urllib.parse

from django.conf import settings
from django.core.cache import cache

from outpost.core.ratelimit import RateLimit
from outpost.notify.errors import DeliveryError, RateLimited, RetryableError, Sent
from outpost.notify.providers.http import call_json

# errcode: -1 system busy; 45009 / 45033 frequency limits; 40014 / 42001 / 41001 the token
# is invalid, expired or missing (fetch a new one and try once more).
BUSY = {-1}
RATE_LIMITED = {45009, 45033}
TOKEN_STALE = {40014, 42001, 41001}
# WeCom drops a message identical to one sent to the same members within this many
# seconds: a message resent after a worker died in the middle of the call (delivery.py)
# is not shown twice.
DUPLICATE_CHECK_SECONDS = 1800
# A token lives 7200 s; kept a little less so that none is used in its last minutes.
TOKEN_MARGIN = 300
# The address of a message to "the group": the robot's configured webhook key.
GROUP = "group"


def _text(subject: str, body: str) -> str:
    return "\n".join(part for part in (subject, body) if part)


def _raise_for(errcode: int, answer: dict, who: str) -> None:
    message = f"{who}: {answer.get('errmsg', '')} (errcode {errcode})"
    if errcode in RATE_LIMITED:
        raise RateLimited(message, code=str(errcode))
    if errcode in BUSY:
        raise RetryableError(message, code=str(errcode))
    raise DeliveryError(
        f"{who} refused: {answer.get('errmsg', '')} (errcode {errcode})", code=str(errcode)
    )


def _endpoint(path: str, **query) -> str:
    base = settings.NOTIFY["wecom_endpoint"].rstrip("/")
    return f"{base}{path}?{urllib.parse.urlencode(query)}"


class WecomAppBackend:
    """An application message (应用消息) to WeCom members: the address is their WeCom
    user id (several joined by |)."""

    name = "wecom_app"
    dedupes = True
    dedupe_seconds = DUPLICATE_CHECK_SECONDS
    required = {
        "wecom_corp_id": "OUTPOST_WECOM_CORP_ID",
        "wecom_secret": "OUTPOST_WECOM_SECRET",
        "wecom_agent_id": "OUTPOST_WECOM_AGENT_ID",
    }

    @staticmethod
    def rate_limit() -> RateLimit:
        return RateLimit(
            name="notify.wecom_app", hits=settings.NOTIFY["rate_per_second"], seconds=1
        )

    @staticmethod
    def _cache_key() -> str:
        conf = settings.NOTIFY
        return f"notify:wecom-token:{conf['wecom_corp_id']}:{conf['wecom_agent_id']}"

    def access_token(self, *, fresh: bool = False) -> str:
        if not fresh:
            token = cache.get(self._cache_key())
            if token:
                return token
        conf = settings.NOTIFY
        _status, answer = call_json(
            _endpoint(
                "/cgi-bin/gettoken", corpid=conf["wecom_corp_id"], corpsecret=conf["wecom_secret"]
            )
        )
        errcode = int(answer.get("errcode", -1))
        if errcode != 0 or not answer.get("access_token"):
            _raise_for(errcode, answer, "WeCom gettoken")
        lifetime = max(int(answer.get("expires_in", 7200)) - TOKEN_MARGIN, 60)
        cache.set(self._cache_key(), answer["access_token"], lifetime)
        return answer["access_token"]

    def send(self, *, channel, address, subject, body, key="") -> Sent:
        payload = json.dumps(
            {
                "touser": address,
                "msgtype": "text",
                "agentid": int(settings.NOTIFY["wecom_agent_id"] or 0),
                "text": {"content": _text(subject, body)},
                "enable_duplicate_check": 1,
                "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
            },
            ensure_ascii=False,
        ).encode()
        for fresh in (False, True):
            url = _endpoint("/cgi-bin/message/send", access_token=self.access_token(fresh=fresh))
            _status, answer = call_json(url, data=payload, content_type="application/json")
            errcode = int(answer.get("errcode", -1))
            if errcode not in TOKEN_STALE:
                break
        if errcode != 0:
            _raise_for(errcode, answer, "WeCom")
        if answer.get("invaliduser"):
            raise DeliveryError(
                f"WeCom: no member with the id {answer['invaliduser']}", code="invaliduser"
            )
        return Sent(provider_id=str(answer.get("msgid", "")), delivered=True)


class WecomRobotBackend:
    """A message to a WeCom group by its robot (群机器人): the address is the robot's
    webhook key, or "group" for the one configured (OUTPOST_WECOM_ROBOT_KEY)."""

    name = "wecom_robot"
    dedupes = False
    required = {"wecom_robot_key": "OUTPOST_WECOM_ROBOT_KEY"}

    @staticmethod
    def rate_limit() -> RateLimit:
        # WeCom's documented limit: 20 messages a minute per robot.
        return RateLimit(name="notify.wecom_robot", hits=20, seconds=60)

    def send(self, *, channel, address, subject, body, key="") -> Sent:
        robot = settings.NOTIFY["wecom_robot_key"] if address == GROUP else address
        if not robot:
            raise DeliveryError("OUTPOST_WECOM_ROBOT_KEY is not set", code="not_configured")
        payload = json.dumps(
            {"msgtype": "text", "text": {"content": _text(subject, body)}}, ensure_ascii=False
        ).encode()
        _status, answer = call_json(
            _endpoint("/cgi-bin/webhook/send", key=robot),
            data=payload,
            content_type="application/json",
        )
        errcode = int(answer.get("errcode", -1))
        if errcode != 0:
            _raise_for(errcode, answer, "WeCom robot")
        return Sent(delivered=True)
