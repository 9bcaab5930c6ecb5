"""Which tables hold a user's data, found from the metadata: a table with a foreign key to the
account, or to a table that has one (directly or through parents). Nothing here lists features:
a new table of user data is found, exported, restored and deleted without being named."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Select, Table, select

from app.db import metadata

ACCOUNT_TABLE = "user_account"

# Owned tables that are not exported, each with its reason (the completeness test reads these).
NOT_EXPORTED = {
    "auth_session": "sign-in sessions are credentials of this instance",
    "access_token": "access tokens are credentials of this instance",
    "calendar_item_cache": "a cache of calendar items, rebuilt from events and gives",
    "contact_term": "the search index, rebuilt from the people on restore",
}
# Columns left out of the export: credentials and this instance's own bookkeeping.
NOT_EXPORTED_COLUMNS = {
    ACCOUNT_TABLE: {"password_hash"},
    "calendar_feed": {
        "token_hash", "salt", "content_etag", "content_version", "content_changed_at",
        "last_digest_on", "digest_failures",
    },
    "event_feed": {"claimed_until"},
}  # fmt: skip


@dataclass(frozen=True)
class Owned:
    """An owned table and how a row reaches its owner: `owner_column` points at the account;
    otherwise `parent_column` points at `parent`, an owned table."""

    table: Table
    owner_column: Column[Any] | None = None
    parent_column: Column[Any] | None = None
    parent: "Owned | None" = None

    @property
    def name(self) -> str:
        return self.table.name

    def ids_of(self, user_id: uuid.UUID) -> Select[Any]:
        """A query of the primary-key rows (as a subquery source) of this user's rows."""
        return select(*self.table.primary_key.columns).where(self.where(user_id))

    def where(self, user_id: uuid.UUID) -> Any:
        """The condition selecting this user's rows of the table."""
        if self.owner_column is not None:
            return self.owner_column == user_id
        assert self.parent is not None and self.parent_column is not None
        parent_key = next(iter(self.parent_column.foreign_keys)).column
        return self.parent_column.in_(select(parent_key).where(self.parent.where(user_id)))


def _account_column(table: Table) -> Column[Any] | None:
    for column in table.columns:
        for key in column.foreign_keys:
            if key.column.table.name == ACCOUNT_TABLE:
                return column
    return None


@cache
def owned_tables() -> tuple[Owned, ...]:
    """Every table of a user's data, parents before children (the metadata's order)."""
    found: dict[str, Owned] = {}
    for table in metadata.sorted_tables:
        if table.name == ACCOUNT_TABLE:
            continue
        column = _account_column(table)
        if column is not None:
            found[table.name] = Owned(table=table, owner_column=column)
            continue
        for candidate in table.columns:
            parents = [key for key in candidate.foreign_keys if key.column.table.name in found]
            if parents and not candidate.nullable:
                parent = found[parents[0].column.table.name]
                found[table.name] = Owned(table=table, parent_column=candidate, parent=parent)
                break
    return tuple(found.values())


def exported_tables() -> tuple[Owned, ...]:
    return tuple(owned for owned in owned_tables() if owned.name not in NOT_EXPORTED)


def by_name(name: str) -> Owned:
    for owned in owned_tables():
        if owned.name == name:
            return owned
    raise KeyError(name)


def exported_columns(table: Table) -> Sequence[Column[Any]]:
    left_out = NOT_EXPORTED_COLUMNS.get(table.name, set())
    return [column for column in table.columns if column.name not in left_out]


def account_columns(table: Table) -> set[str]:
    """The columns of a table that hold the owning account's id."""
    return {
        column.name
        for column in table.columns
        if any(key.column.table.name == ACCOUNT_TABLE for key in column.foreign_keys)
    }
