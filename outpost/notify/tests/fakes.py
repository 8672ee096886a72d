"""A small local fake of each provider's HTTP API (Aliyun SMS, Tencent Cloud SMS, WeCom),
on 127.0.0.1 in a thread, started by the test that needs it. It checks each request the way
the provider does (the Aliyun and TC3 signatures recomputed here independently of the code
under test, the WeCom token), answers what the test scripted, and keeps what it was sent.
Nothing reaches the internet."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALIYUN = {"id": "LTAI-test", "secret": "aliyun-secret"}
TENCENT = {"id": "AKID-test", "key": "tencent-secret"}
WECOM = {"corp": "ww-test", "secret": "wecom-secret"}

# What each provider answers for a scripted outcome (their documented shapes and codes).
ALIYUN_ANSWERS = {
    "rate_limited": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"},
    "template_rejected": {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"},
    "bad_number": {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},
}
TENCENT_ERRORS = {
    "rate_limited": "LimitExceeded.PhoneNumberThirtySecondLimit",
    "template_rejected": "FailedOperation.TemplateIncorrectOrUnapproved",
    "bad_number": "InvalidParameterValue.IncorrectPhoneNumber",
}
WECOM_ERRORS = {"rate_limited": 45009, "template_rejected": 40008, "bad_number": 40008}


def _aliyun_signature_ok(form: dict[str, str]) -> bool:
    """Aliyun's RPC signature, recomputed from its documented recipe."""

    def enc(text):
        return urllib.parse.quote(text, safe="-_.~")

    params = {k: v for k, v in form.items() if k != "Signature"}
    query = "&".join(enc(k) + "=" + enc(params[k]) for k in sorted(params))
    to_sign = "POST&%2F&" + enc(query)
    mac = hmac.new((ALIYUN["secret"] + "&").encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode() == form.get("Signature")


def _tc3_signature_ok(headers, body: bytes, host: str) -> bool:
    """Tencent's TC3-HMAC-SHA256, recomputed from its documented recipe."""
    auth = headers.get("Authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(item.strip().split("=", 1) for item in rest.split(","))
        _id, date, service, _req = parts["Credential"].split("/")
    except ValueError:
        return False
    if algorithm != "TC3-HMAC-SHA256" or _id != TENCENT["id"]:
        return False
    signed = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed
    )
    if "host" in signed:
        canonical_headers = canonical_headers.replace("host:\n", f"host:{host}\n")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            canonical_headers,
            parts["SignedHeaders"],
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            algorithm,
            headers["X-TC-Timestamp"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def mac(key, text):
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + TENCENT["key"]).encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() == parts["Signature"]


class FakeProviders:
    """One server for the three providers: Aliyun answers form POSTs on /, Tencent JSON
    POSTs on / with X-TC-Action, WeCom on /cgi-bin/…. `script` holds the outcomes of the
    next sends, in order ("ok" when empty): ok, rate_limited, template_rejected,
    bad_number, server_error, hang (no answer until the test ends), token_expired."""

    def __init__(self):
        self.script: deque[str] = deque()
        self.sent: list[dict] = []  # each send request the fake took, as parsed
        self.refused: list[str] = []  # requests refused for a bad signature or token
        self.tokens_issued = 0
        self.token = ""
        self.wecom_shown: list[str] = []  # app messages shown (identical ones within 30 min once)
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload):
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/cgi-bin/gettoken":
                    if (query.get("corpid"), query.get("corpsecret")) != (
                        WECOM["corp"],
                        WECOM["secret"],
                    ):
                        return self._answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                    with fake.lock:
                        fake.tokens_issued += 1
                        fake.token = f"token-{fake.tokens_issued}"
                    return self._answer(
                        200, {"errcode": 0, "access_token": fake.token, "expires_in": 7200}
                    )
                return self._answer(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urllib.parse.urlsplit(self.path)
                with fake.lock:
                    outcome = fake.script.popleft() if fake.script else "ok"
                if outcome == "hang":
                    fake.release.wait(10)
                    return None
                if outcome == "server_error":
                    return self._answer(503, {"message": "service unavailable"})
                if url.path.startswith("/cgi-bin/"):
                    return fake._wecom(self, url, body, outcome)
                if self.headers.get("X-TC-Action"):
                    return fake._tencent(self, body, outcome)
                return fake._aliyun(self, body, outcome)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ providers

    def _aliyun(self, handler, body, outcome):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if form.get("AccessKeyId") != ALIYUN["id"] or not _aliyun_signature_ok(form):
            self.refused.append("aliyun")
            return handler._answer(
                400,
                {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"},
            )
        self.sent.append({"provider": "aliyun", **form})
        if outcome in ALIYUN_ANSWERS:
            return handler._answer(200, ALIYUN_ANSWERS[outcome])
        return handler._answer(
            200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.sent)}", "RequestId": "r"}
        )

    def _tencent(self, handler, body, outcome):
        if not _tc3_signature_ok(handler.headers, body, handler.headers.get("Host", "")):
            self.refused.append("tencent")
            return handler._answer(
                200,
                {
                    "Response": {
                        "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"},
                        "RequestId": "r",
                    }
                },
            )
        request = json.loads(body)
        self.sent.append({"provider": "tencent", **request})
        if outcome == "template_rejected":
            return handler._answer(
                200,
                {
                    "Response": {
                        "Error": {
                            "Code": TENCENT_ERRORS[outcome],
                            "Message": "template is not approved",
                        },
                        "RequestId": "r",
                    }
                },
            )
        code = TENCENT_ERRORS.get(outcome, "Ok")
        status = {
            "SerialNo": f"serial-{len(self.sent)}" if code == "Ok" else "",
            "PhoneNumber": request["PhoneNumberSet"][0],
            "Fee": 1 if code == "Ok" else 0,
            "SessionContext": request.get("SessionContext", ""),
            "Code": code,
            "Message": "send success" if code == "Ok" else "refused",
            "IsoCode": "CN",
        }
        return handler._answer(200, {"Response": {"SendStatusSet": [status], "RequestId": "r"}})

    def _wecom(self, handler, url, body, outcome):
        query = dict(urllib.parse.parse_qsl(url.query))
        payload = json.loads(body)
        if url.path == "/cgi-bin/webhook/send":
            if query.get("key") != "robot-key":
                return handler._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
            self.sent.append({"provider": "wecom_robot", **payload})
        else:
            if outcome == "token_expired" or query.get("access_token") != self.token:
                return handler._answer(200, {"errcode": 42001, "errmsg": "access_token expired"})
            self.sent.append({"provider": "wecom_app", **payload})
        if outcome in WECOM_ERRORS:
            return handler._answer(200, {"errcode": WECOM_ERRORS[outcome], "errmsg": outcome})
        content = payload["text"]["content"]
        if url.path == "/cgi-bin/message/send":
            shown = f"{payload['touser']}:{content}"
            if not (payload.get("enable_duplicate_check") and shown in self.wecom_shown):
                self.wecom_shown.append(shown)
        return handler._answer(
            200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{len(self.sent)}"}
        )


def provider_settings(url: str) -> dict:
    """settings.NOTIFY's keys pointing every provider at the fake."""
    return {
        "sms_sign_name": "平安社区",
        "sms_template": "SMS_0001",
        "sms_template_param": "content",
        "aliyun_access_key_id": ALIYUN["id"],
        "aliyun_access_key_secret": ALIYUN["secret"],
        "aliyun_endpoint": url,
        "tencent_secret_id": TENCENT["id"],
        "tencent_secret_key": TENCENT["key"],
        "tencent_sms_app_id": "1400000001",
        "tencent_region": "ap-guangzhou",
        "tencent_endpoint": url,
        "wecom_corp_id": WECOM["corp"],
        "wecom_secret": WECOM["secret"],
        "wecom_agent_id": "1000002",
        "wecom_robot_key": "robot-key",
        "wecom_endpoint": url,
        "receipt_token": "r" * 40,
        "rate_per_second": 100,
        "timeout": 0.3,
        "max_attempts": 3,
    }
