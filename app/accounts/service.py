"""Accounts: sign-up, sign-in with throttling, sessions, access tokens and the profile."""

import re
import uuid
from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import Executable, bindparam, delete, func, update
from sqlmodel import Session, col, select

from app.accounts.models import AccessToken, AuthSession, LoginFailure, User
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from app.security import hash_password, new_token, token_digest, verify_password
from app.web.i18n import LOCALES, lazy_gettext

MIN_PASSWORD = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Checked when an email is unknown, so that the answer takes as long as for a real account.
DUMMY_HASH = hash_password("not a real password, only spends the same time")
MAX_PASSWORD = 1024
THROTTLE_WINDOW = timedelta(minutes=15)
# Sign-in throttling: per account *and* address pair, so nobody can lock anyone else out. After
# MAX_FAILURES_PER_ACCOUNT failures in the window, each further try from that pair waits a delay
# that doubles (30 s, 1 min, 2 min... at most the window). The same address trying many accounts
# is stopped at a generous MAX_FAILURES_PER_ADDRESS. A right password from a new address is
# never held by what happened on other addresses.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 50
FIRST_DELAY = timedelta(seconds=30)
RENEW_AFTER = timedelta(hours=1)
TOKEN_PREFIX = "gf_"  # noqa: S105 - a visible prefix, not a secret

BAD_CREDENTIALS = lazy_gettext("This email and password do not match.")


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def check_password(password: str) -> None:
    """Refuse passwords that are too short or absurdly long."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            lazy_gettext("Choose a password of at least %(n)d characters."),
            field="password",
            n=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(lazy_gettext("This password is too long."), field="password")


def check_timezone(timezone: str) -> None:
    """Refuse anything that is not an IANA time zone name."""
    if timezone not in _timezones():
        raise Invalid(lazy_gettext("Unknown time zone."), field="timezone")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def common_timezones() -> list[str]:
    """Time zones a person would pick from: Region/City names, sorted."""
    regions = (
        "Africa/",
        "America/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    )
    return sorted(zone for zone in _timezones() if zone.startswith(regions))


def user_count(session: Session) -> int:
    """How many accounts exist."""
    return session.exec(select(func.count()).select_from(User)).one()


def signup_open(session: Session, *, allow_signup: bool) -> bool:
    """The first user may always sign up; later ones only when the instance allows it."""
    return allow_signup or user_count(session) == 0


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str = "",
    locale: str = "fr",
    timezone: str = "Europe/Paris",
) -> User:
    """Create an account; the email must be new."""
    email = normalize_email(email)
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise Invalid(lazy_gettext("Please enter a valid email address."), field="email")
    check_password(password)
    check_timezone(timezone)
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(lazy_gettext("An account already exists with this email."), field="email")
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip()[:120],
        locale=locale if locale in LOCALES else "fr",
        timezone=timezone,
    )
    session.add(user)
    session.flush()
    return user


def _write_apart(session: Session, statement: Executable) -> None:
    """A bookkeeping write (a token's last use, a session's renewal) in a short transaction of
    its own that begins with the write: on SQLite it waits for the lock instead of being
    refused, and it never makes the request itself a writer."""
    with Session(session.get_bind()) as own:
        own.execute(statement)
        own.commit()


def keep_attempts(session: Session, *, keys: list[str]) -> None:
    """Record attempts (failed sign-ins, public forms) so that they count even when the request
    that made them is refused and rolled back: the one write committed outside the request's
    own commit, on a connection of its own, at once.

    Called before the request has written anything, or as it is refused: what the request read
    so far is let go first, so that its transaction (on SQLite, the write lock) never waits on
    this one."""
    session.rollback()
    with Session(session.get_bind()) as own:
        own.add_all(LoginFailure(key=key) for key in keys)
        own.commit()


def _recent_failures(session: Session, key: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    query = (
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, col(LoginFailure.at) >= since)
    )
    return session.exec(query).one()


def pair_delay(failures: int) -> timedelta:
    """How long a pair must wait after its last failure, given how many failures it has."""
    if failures < MAX_FAILURES_PER_ACCOUNT:
        return timedelta(0)
    doublings = min(failures - MAX_FAILURES_PER_ACCOUNT, 10)
    return min(FIRST_DELAY * (1 << doublings), THROTTLE_WINDOW)


def _reserve(session: Session, keys: list[str]) -> list[int]:
    """Record an attempt under each key, committed at once on a connection of its own, before
    the attempt is judged: concurrent attempts all see each other, so at most the limit pass
    (the (limit+1)-th to commit counts at least limit+1 rows). Returns the rows' ids."""
    session.rollback()
    with Session(session.get_bind(), expire_on_commit=False) as own:
        rows = [LoginFailure(key=key) for key in keys]
        own.add_all(rows)
        own.commit()
        return [row.id for row in rows if row.id is not None]


def _throttled(session: Session, *, pair_key: str, address_key: str, mine: list[int]) -> bool:
    """Whether this attempt (already reserved as `mine`) is over a limit."""
    now = utcnow()
    since = now - THROTTLE_WINDOW
    with Session(session.get_bind()) as own:
        address_count = own.exec(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == address_key, col(LoginFailure.at) >= since)
        ).one()
        if address_count > MAX_FAILURES_PER_ADDRESS:
            return True
        others = own.exec(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.key == pair_key,
                col(LoginFailure.at) >= since,
                col(LoginFailure.id).not_in(mine),
            )
        ).one()
    previous, latest = others
    if previous < MAX_FAILURES_PER_ACCOUNT or latest is None:
        return False
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=now.tzinfo)
    return bool(now - latest < pair_delay(previous))


def _forget(session: Session, statement: Executable) -> None:
    with Session(session.get_bind()) as own:
        own.execute(statement)
        own.commit()


def authenticate(session: Session, *, email: str, password: str, address: str) -> User:
    """The user for these credentials, throttled per account and address pair (growing delays)
    and per address (generous); every attempt is recorded before it is judged, so parallel
    attempts cannot get past a limit."""
    email = normalize_email(email)
    pair_key, address_key = f"pair:{email}|{address}"[:300], f"ip:{address}"[:300]
    mine = _reserve(session, [pair_key, address_key])
    if _throttled(session, pair_key=pair_key, address_key=address_key, mine=mine):
        # A refused attempt is not a failure: it must not lengthen the wait.
        _forget(session, delete(LoginFailure).where(col(LoginFailure.id).in_(mine)))
        raise TooManyRequests()
    user = session.exec(select(User).where(User.email == email)).first()
    known = verify_password(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not known:
        raise Invalid(BAD_CREDENTIALS, field="password")
    _forget(
        session,
        delete(LoginFailure).where(
            (col(LoginFailure.id).in_(mine))
            | (col(LoginFailure.key) == pair_key)
            | (col(LoginFailure.at) < utcnow() - THROTTLE_WINDOW)
        ),
    )
    return user


def start_session(session: Session, *, user: User, days: int, user_agent: str = "") -> str:
    """Open a sign-in session and return the secret token for the cookie."""
    token = new_token()
    now = utcnow()
    session.add(
        AuthSession(
            id=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            user_agent=user_agent[:255],
        )
    )
    return token


def resume_session(session: Session, *, token: str, days: int) -> tuple[User | None, bool]:
    """The user of a live session, and whether its expiry slid forward (a phone stays signed in)."""
    digest = token_digest(token)
    found = session.exec(_SESSION_USER, params={"digest": digest}).first()
    now = utcnow()
    if found is None:
        return None, False
    expires_at, last_seen_at, user = found
    row = col(AuthSession.id) == digest
    if expires_at <= now:
        _write_apart(session, delete(AuthSession).where(row))
        return None, False
    renewed = now - last_seen_at > RENEW_AFTER
    if renewed:
        _write_apart(
            session,
            update(AuthSession)
            .where(row)
            .values(last_seen_at=now, expires_at=now + timedelta(days=days)),
        )
    return user, renewed


def end_session(session: Session, *, token: str) -> None:
    """Sign this browser out."""
    auth = session.get(AuthSession, token_digest(token))
    if auth is not None:
        session.delete(auth)


def end_all_sessions(session: Session, *, user: User) -> None:
    """Sign the user out everywhere: every session ends and every personal access token is
    revoked (a token is a way in too; the settings page says so)."""
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id))  # type: ignore[call-overload]
    session.exec(delete(AccessToken).where(col(AccessToken.user_id) == user.id))  # type: ignore[call-overload]


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; other sessions are ended and the
    personal access tokens revoked."""
    if not verify_password(current, user.password_hash):
        raise Invalid(lazy_gettext("The current password is not right."), field="current_password")
    check_password(new)
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    session.add(user)
    end_all_sessions(session, user=user)


def update_profile(
    session: Session,
    *,
    user: User,
    display_name: str | None,
    locale: str | None,
    timezone: str | None,
) -> User:
    """Change the display name, language or time zone (all checked before any is changed)."""
    if locale is not None and locale not in LOCALES:
        raise Invalid(lazy_gettext("Unknown language."), field="locale")
    if timezone is not None:
        check_timezone(timezone)
    if display_name is not None:
        user.display_name = display_name.strip()[:120]
    if locale is not None:
        user.locale = locale
    if timezone is not None:
        user.timezone = timezone
    user.updated_at = utcnow()
    session.add(user)
    return user


def user_by_email(session: Session, *, email: str) -> User:
    """The account with this email."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None:
        raise NotFound()
    return user


def create_token(session: Session, *, user: User, name: str) -> tuple[AccessToken, str]:
    """A new personal access token; the secret is returned once and never stored."""
    secret = new_token(TOKEN_PREFIX)
    token = AccessToken(
        user_id=user.id, name=name.strip()[:120], token_hash=token_digest(secret), hint=secret[-4:]
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, *, user: User) -> list[AccessToken]:
    """The user's tokens, newest first."""
    query = (
        select(AccessToken)
        .where(AccessToken.user_id == user.id)
        .order_by(col(AccessToken.created_at).desc())
    )
    return list(session.exec(query))


def revoke_token(session: Session, *, user: User, token_id: uuid.UUID) -> None:
    """Delete one of the user's tokens; it stops working at once."""
    token = session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    session.delete(token)


# Built once (their cache keys computed once): one of them runs before every request.
_TOKEN_USER = (
    select(AccessToken.id, AccessToken.last_used_at, User)
    .join(User, col(User.id) == AccessToken.user_id)
    .where(col(AccessToken.token_hash) == bindparam("digest"))
)
_SESSION_USER = (
    select(AuthSession.expires_at, AuthSession.last_seen_at, User)
    .join(User, col(User.id) == AuthSession.user_id)
    .where(col(AuthSession.id) == bindparam("digest"))
)


def user_for_token(session: Session, *, secret: str) -> User | None:
    """The user a bearer token belongs to, recording its use."""
    # One query for the token and its user: this runs before every API request.
    found = session.exec(_TOKEN_USER, params={"digest": token_digest(secret)}).first()
    if found is None:
        return None
    token_id, last_used_at, user = found
    now = utcnow()
    if last_used_at is None or now - last_used_at > timedelta(minutes=1):
        _write_apart(
            session,
            update(AccessToken).where(col(AccessToken.id) == token_id).values(last_used_at=now),
        )
    return user


def require_signup_open(session: Session, *, allow_signup: bool) -> None:
    """Refuse sign-up when the instance is closed to new accounts."""
    if not signup_open(session, allow_signup=allow_signup):
        raise Forbidden(
            lazy_gettext("Sign-up is closed on this Givefirst. Ask its owner for an account.")
        )


def count_attempt(session: Session, *, key: str, limit: int) -> None:
    """Record one attempt at a public form and refuse past the limit in the window."""
    if _recent_failures(session, key) >= limit:
        raise TooManyRequests()
    keep_attempts(session, keys=[key])
