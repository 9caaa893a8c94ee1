"""HTTP hardening: the client address behind proxies, safe redirect targets, rate-limit keys, security headers."""

import hashlib
import logging
import re
import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import Flask, current_app, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

# Percent-decoding layers inspected: enough for `%252F`-style double encoding, bounded so input cannot loop us.
_DECODE_LAYERS = 3


def _is_invisible(char: str) -> bool:
    """Whitespace, control and format characters: browsers drop or reinterpret them inside URLs."""
    return char.isspace() or unicodedata.category(char)[0] in "CZ"


def _local_path(path: str) -> bool:
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and not any(_is_invisible(c) for c in path)
    )


def safe_next(target: str | None) -> str:
    """Where to send the user after login or a language switch: a path (and query) on this site, or the home page.

    The target is parsed and rebuilt rather than pattern-matched, so what reaches the Location header is only ever
    `/path?query`. Anything else (a scheme, a host, `//` or `\\` that browsers read as a host, whitespace or control
    characters that browsers drop, the same hidden by percent-encoding) gives the home page.
    """
    home = url_for("main.index")
    if not target or len(target) > 2048 or not _local_path(target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _local_path(parts.path):
        return home
    decoded = parts.path
    for _ in range(_DECODE_LAYERS):
        decoded = unquote(decoded)
        if not _local_path(decoded):
            return home
    return urlunsplit(("", "", parts.path, parts.query, ""))


def login_account() -> str:
    """The rate-limit key of the account a login POST tries, normalised as the login lookup does; hashed, since
    rate-limit storage is no place for people's emails and phone numbers."""
    identifier = (request.form.get("identifier") or "").strip().lower()
    return "account:" + hashlib.sha256(identifier.encode("utf-8", "replace")).hexdigest()[:32]


def add_security_headers(response):
    """Frame protection for pages with unmask, consent and accept buttons, no MIME sniffing, no cross-site referrer.

    Only `frame-ancestors` goes in the CSP: the templates use inline scripts and styles.
    """
    headers = response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    hsts = current_app.config.get("HSTS")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    return response


_SERVER_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)


class HideServerDetail(logging.Filter):
    """hide_parameters keeps bound values out of a logged SQL error, but PostgreSQL writes them into the message
    itself ("DETAIL: Key (mobile)=(139…) already exists", "Failing row contains (…, $argon2id$…)"): drop that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = _SERVER_DETAIL.sub(r"\1 [hidden]", text)
        return True


def register(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto only from the configured number of proxies; add the security headers; keep
    database values out of logged errors."""
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.after_request(add_security_headers)
    app.logger.addFilter(HideServerDetail())
