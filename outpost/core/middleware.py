import logging

from django.conf import settings
from django.utils import translation

from outpost.core.i18n import SESSION_LANGUAGE_KEY, is_supported
from outpost.core.proxies import (
    FORWARDING_HEADERS,
    forwarded_client,
    is_trusted_proxy,
    trusted_proxy_networks,
)

logger = logging.getLogger(__name__)


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English with the language switch: the signed-in
    user's own choice (kept on their profile, see `i18n`), else the browser's cookie.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a borrowed or
    English-configured phone must still open in Chinese (DESIGN rule 5).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_LANGUAGE_KEY) if session is not None else None
        if not is_supported(chosen):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if is_supported(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response


class TrustedProxyMiddleware:
    """The client's real scheme and address, from the trusted proxies only (see `proxies`).

    A request from an address in OUTPOST_TRUSTED_PROXIES takes REMOTE_ADDR from its
    X-Forwarded-For and its scheme from X-Forwarded-Proto, so the SSL redirect and HSTS,
    secure cookies, axes' lockouts and the access log see the client, not the proxy. Every
    forwarding header is then dropped, from trusted and untrusted senders alike: nothing
    further down can be misled by a header a client wrote itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.warned = False

    def __call__(self, request):
        meta = request.META
        networks = trusted_proxy_networks()
        peer = meta.get("REMOTE_ADDR", "")
        if networks and is_trusted_proxy(peer, networks):
            client = forwarded_client(meta.get("HTTP_X_FORWARDED_FOR", ""), networks)
            if client:
                meta["REMOTE_ADDR"] = client
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in {"http", "https"}:
                meta["wsgi.url_scheme"] = proto
        elif not self.warned and any(h in meta for h in FORWARDING_HEADERS):
            self.warned = True
            logger.warning(
                "Ignoring forwarding headers from %s: not in OUTPOST_TRUSTED_PROXIES. If it "
                "is your reverse proxy, add it there.",
                peer,
            )
        for header in FORWARDING_HEADERS:
            meta.pop(header, None)
        return self.get_response(request)


# Scripts only from Outpost's own files (htmx and ours), never inline: an injected
# <script> or onclick= does not run. Styles may be inline: the dashboard's charts are SVG
# that carry their own <style> and style attributes (pygal), and htmx adds its indicator
# style; CSS cannot run code, and every value on a page is escaped.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every response, and ``Cache-Control: no-store`` on every
    response that does not set its own caching: pages, API answers and downloads hold
    personal data, which must not stay in a shared phone's or a proxy's cache. Static files
    keep their own caching (WhiteNoise sets it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
        return response
