"""Passwords, random tokens, same-origin protection, proxy headers and security headers."""

import hashlib
import secrets

from fastapi import Request
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import Settings

password_hash = PasswordHash((Argon2Hasher(),))
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The sign-in session cookie (set in app.accounts.deps; the body guard looks for it).
SESSION_COOKIE = "gf_session"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # WebAssembly for the QR decoder the app serves (static/vendor/); no eval of scripts.
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def hash_password(password: str) -> str:
    """An Argon2 hash of the password."""
    return password_hash.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """Whether the password matches its Argon2 hash."""
    return password_hash.verify(password, hashed)


def new_token(prefix: str = "") -> str:
    """A random URL-safe token of 256 bits."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so that a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def client_scheme(request: Request, settings: Settings) -> str:
    """http or https, believing X-Forwarded-Proto only from a trusted proxy."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto")
    if forwarded and peer in settings.trusted_proxy_hosts:
        return forwarded.split(",")[0].strip().lower()
    return str(request.scope.get("scheme", "http"))  # what request.url says, without parsing it


def client_address(request: Request, settings: Settings) -> str:
    """The client's address, believing X-Forwarded-For only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in settings.trusted_proxy_hosts:
        # The rightmost address not added by a trusted proxy is the client; entries further left
        # are whatever the client chose to send.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        while len(hops) > 1 and hops[-1] in settings.trusted_proxy_hosts:
            hops.pop()
        return hops[-1] if hops else peer
    return peer


def is_same_origin(request: Request, settings: Settings) -> bool:
    """Whether a cookie-authenticated unsafe request comes from our own pages."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers that send neither header predate cross-site form attacks' usual vectors;
        # SameSite=Lax cookies still protect them.
        return True
    expected = {f"{client_scheme(request, settings)}://{request.headers.get('host', '')}"}
    if settings.base_url:
        expected.add(settings.base_url.rstrip("/"))
    return origin.rstrip("/") in expected
