"""Every feature's tables, imported in one place for Alembic and the application."""

from app.accounts.models import AccessToken, AuthSession, LoginFailure, User

__all__ = ["AccessToken", "AuthSession", "LoginFailure", "User"]
