"""Settings, read from GIVEFIRST_* environment variables."""

import contextlib
import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEAK_SECRETS = {"", "changeme", "changethis", "secret", "dev"}


class Settings(BaseSettings):
    """Everything an operator can set; defaults run a personal instance on SQLite."""

    model_config = SettingsConfigDict(env_prefix="GIVEFIRST_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    secret_key: str | None = None
    base_url: str | None = None
    allow_signup: bool = False
    allow_private_urls: bool = False
    trusted_proxies: str = "127.0.0.1,::1"
    session_days: int = 30
    default_timezone: str = "Europe/Paris"
    static_dir: Path = PROJECT_ROOT / "static"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: str | None) -> str | None:
        if value is not None and (value.lower() in WEAK_SECRETS or len(value) < 32):
            raise ValueError("GIVEFIRST_SECRET_KEY must be at least 32 random characters")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL: the given one, or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'givefirst.db').resolve()}"

    @cached_property
    def secret(self) -> str:
        """The signing secret: given, or generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Written aside then linked into place, so that two processes starting at once
            # agree on one secret and never read a half-written file.
            tmp = path.with_name(f".secret_key.{os.getpid()}")
            tmp.write_text(secrets.token_urlsafe(48))
            tmp.chmod(0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
            tmp.unlink()
        return path.read_text().strip()

    @property
    def trusted_proxy_hosts(self) -> set[str]:
        """Peers whose X-Forwarded-* headers are believed."""
        return {host.strip() for host in self.trusted_proxies.split(",") if host.strip()}
