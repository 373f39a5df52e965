"""CSRF tokens, security headers and the upload size limit."""

from __future__ import annotations

import hashlib
import hmac

from starlette.responses import HTMLResponse


def csrf_ok(expected: str | None, submitted) -> bool:
    if not (expected and isinstance(submitted, str) and submitted):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "replace"))


def signed(secret: str, token: str) -> str:
    return token + "." + hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def unsigned(secret: str, value: str | None) -> str | None:
    """The token inside a value made by `signed`, or None when it was not made with this secret."""
    token, _, mac = (value or "").rpartition(".")
    if not token:
        return None
    return token if hmac.compare_digest(signed(secret, token).encode(), value.encode("utf-8", "replace")) else None


# Pages under /intake/ load only their own files: no inline script or style, no framing, no plugins.
INTAKE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The MkDocs Material site relies on inline scripts; it is only kept out of frames and plugins.
SITE_CSP = "frame-ancestors 'none'; object-src 'none'"


class SecurityHeaders:
    """ASGI middleware: security headers on every response; /intake/ pages are never cached."""

    def __init__(self, app, hsts: bool = False):
        self.app, self.hsts = app, hsts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        intake = scope["path"] == "/intake" or scope["path"].startswith("/intake/")
        extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                 (b"referrer-policy", b"same-origin"),
                 (b"content-security-policy", (INTAKE_CSP if intake else SITE_CSP).encode())]
        if intake:
            extra.append((b"cache-control", b"no-store"))
        if self.hsts:
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        names = {name for name, _ in extra}

        async def with_headers(message):
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(Exception):
    pass


class UploadLimit:
    """ASGI middleware: refuse request bodies over `max_bytes` with HTTP 413 and a Chinese page.

    The Content-Length header is checked first; a body sent without one is counted as it streams."""

    def __init__(self, app, max_bytes: int, page):
        self.app, self.max_bytes, self.page = app, max_bytes, page

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._refuse(scope, receive, send)
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge()
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope, receive, send):
        response = HTMLResponse(self.page(self.max_bytes), status_code=413)
        await response(scope, receive, send)
