"""People in and out: reading an uploaded .vcf or .csv into a preview and an import, and writing
vCard and CSV exports."""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from app.accounts.models import User
from app.contacts import csv_import, importing, suppression, vcard
from app.contacts import service as contacts
from app.contacts.vcard import ParsedPerson, Rejected
from app.errors import Invalid
from app.text import fold
from app.web.i18n import babel_locale, gettext, lazy_gettext, use_locale

MAX_UPLOAD = 5_000_000

# A file that is neither: its wording; each format's own refusals are in its module.
UNKNOWN_FORMAT = lazy_gettext("Choose a .vcf file or a .csv file.")
# Each format's catalogue of refusals (why the file, why a record).
FILE_ERRORS = {"vcard": vcard.FILE_ERRORS, "csv": csv_import.FILE_ERRORS}
REJECT_REASONS = {"vcard": vcard.REJECT_REASONS, "csv": csv_import.REJECT_REASONS}


class RejectedPublic(SQLModel):
    index: int
    label: str
    reason: str
    code: str


class PersonPreview(SQLModel):
    full_name: str
    company: str | None
    email: str | None
    has_photo: bool
    known: bool
    # Who they would be merged with, when already in the address book.
    known_as: str | None = None


class ImportReport(SQLModel):
    """What an import did (or, with `dry_run`, would do)."""

    dry_run: bool
    format: str
    created: int
    updated: int
    skipped: int
    rejected: list[RejectedPublic]
    people: list[PersonPreview] = []
    # People erased with "do not bring back" that the file held: left out, as said.
    not_brought_back: int = 0
    # People kept without their photo: the file held more photos than one import takes.
    photos_left_out: int = 0


@dataclass
class ParsedFile:
    format: str
    people: list[ParsedPerson] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _kind(data: bytes, filename: str) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t").upper()
    if b"BEGIN:VCARD" in head.replace(b"\x00", b"") or filename.lower().endswith(
        (".vcf", ".vcard")
    ):
        return "vcard"
    return "csv"


def parse_file(data: bytes, *, filename: str, locale: str) -> ParsedFile:
    """Read an uploaded file as vCard or CSV; a file that cannot be read raises Invalid (422)."""
    if len(data) > MAX_UPLOAD:
        raise Invalid(vcard.FILE_ERRORS["too_large"], field="file")
    kind = _kind(data, filename)
    try:
        if kind == "vcard":
            people, rejected = vcard.parse_vcards(data, max_bytes=MAX_UPLOAD)
        else:
            with use_locale(locale):
                note = gettext("LinkedIn: connected on {date}")
            people, rejected = csv_import.parse_contacts_csv(
                data, max_bytes=MAX_UPLOAD, linkedin_note=note,
                show_date=lambda iso: _long_date(iso, locale),
            )  # fmt: skip
    except (vcard.VCardFileError, csv_import.CsvFileError) as error:
        raise Invalid(FILE_ERRORS[kind].get(error.code, UNKNOWN_FORMAT), field="file") from None
    return ParsedFile(format=kind, people=people, rejected=rejected)


def _long_date(iso: str, locale: str) -> str:
    """A date read as ISO, written in the user's language ("23 novembre 2026"); other text as is."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return format_date(day, "long", locale=babel_locale(locale))


class _SeenInFile:
    """The people met so far in one file, matched as the import will match them once the earlier
    ones are saved (`importing.ImportMatcher`): same UID, same e-mail, or the same name with the same company or
    a company on one side only (which the saved person then takes)."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.companies: list[str] = []

    def known(self, person: ParsedPerson) -> bool:
        """Whether an earlier record of the file is this person; records this one either way."""
        keys = []
        if person.source_uid:
            keys.append(("uid", person.source_uid[:500]))
        if person.email and contacts.valid_import_email(person.email):
            keys.append(("email", person.email.lower()))
        name = " ".join(sorted(contacts.words(person.full_name or "")))
        company = fold(person.company or "").strip()
        found = next((self.keys[key] for key in keys if key in self.keys), None)
        if found is None and name:
            found = next(
                (index for index in self.by_name.get(name, [])
                 if not company or not self.companies[index] or self.companies[index] == company),
                None,
            )  # fmt: skip
        if found is None:
            found = len(self.companies)
            self.companies.append(company)
            if name:
                self.by_name.setdefault(name, []).append(found)
            is_known = False
        else:
            self.companies[found] = self.companies[found] or company
            is_known = True
        for key in keys:
            self.keys.setdefault(key, found)
        return is_known


def apply(
    session: Session,
    *,
    owner: User,
    parsed: ParsedFile,
    dry_run: bool,
    on_match: str,
    locale: str | None = None,
    secret: str | None = None,
    progress: importing.Progress | None = None,
) -> ImportReport:
    """Preview (`dry_run`) or import the people of a parsed file; reasons in the user's locale.
    With the instance's `secret`, people erased with "do not bring back" are left out.

    The preview reads through `session`. The import does not write through it: it commits by
    itself, in batches, in sessions of its own on the same engine (`importing.import_in_batches`),
    so that no transaction stays open for the whole file; `session` is only read."""
    reasons = REJECT_REASONS[parsed.format]
    left_out = 0
    if secret is not None:
        kept, left_out = suppression.split_out(
            session, owner_id=owner.id, secret=secret, people=parsed.people
        )
        parsed = ParsedFile(format=parsed.format, people=kept, rejected=parsed.rejected)
    with use_locale(locale or owner.locale):
        rejected = [
            RejectedPublic(
                index=r.index,
                label=r.label,
                code=r.reason,
                reason=str(reasons.get(r.reason, reasons["unreadable"])),
            )  # fmt: skip
            for r in parsed.rejected
        ]
    if not dry_run:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with use_locale(locale or owner.locale):  # the notes' "Other e-mail:" in the user's words
            summary = importing.import_in_batches(
                engine, owner_id=owner.id, people=parsed.people, on_match=on_match,
                progress=progress,
            )  # fmt: skip
        return ImportReport(
            dry_run=False, format=parsed.format, created=len(summary.created),
            updated=len(summary.updated), skipped=len(summary.skipped), rejected=rejected,
            not_brought_back=left_out, photos_left_out=summary.photos_left_out,
        )  # fmt: skip
    previews = []
    known = 0
    # A person twice in one file is saved once: the second record completes the first.
    seen = _SeenInFile()
    matcher = importing.ImportMatcher(session, owner=owner, people=parsed.people)
    budget = importing.PhotoBudget()
    for done, person in enumerate(parsed.people, start=1):
        in_file = seen.known(person)
        existing = matcher.match(person)
        is_known = in_file or existing is not None
        known += is_known
        previews.append(
            PersonPreview(
                full_name=person.full_name,
                company=person.company,
                email=person.email,
                has_photo=person.photo is not None and budget.take(person.photo),
                known=is_known,
                known_as=_known_as(existing) if existing is not None else None,
            )  # fmt: skip
        )
        if progress is not None and done % importing.IMPORT_BATCH == 0:
            progress(done, len(parsed.people))
    if progress is not None:  # the last, partial batch too
        progress(len(parsed.people), len(parsed.people))
    return ImportReport(
        dry_run=True, format=parsed.format, created=len(parsed.people) - known,
        updated=known if on_match == "merge" else 0, skipped=known if on_match == "skip" else 0,
        rejected=rejected, people=previews, not_brought_back=left_out,
        photos_left_out=budget.left_out,
    )  # fmt: skip


def _known_as(contact: Any) -> str:
    """How the preview names the person an imported record would complete."""
    return " · ".join(part for part in (contact.full_name, contact.company) if part)


def _card_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["full_name"] = row.get("full_name") or row.get("company") or row.get("email") or "?"
    notes = [row.get("notes") or ""]
    return values | {"notes": "\n\n".join(part for part in notes if part) or None}


def one_vcard(row: Mapping[str, Any]) -> str:
    """One person as a vCard 3.0."""
    return vcard.people_to_vcards([_card_fields(row)])


def vcards(rows: Iterable[Mapping[str, Any]], *, version: str = "3.0") -> Iterator[str]:
    """Many people as one .vcf (vCard 3.0, or 4.0 for archives), streamed card by card."""
    for row in rows:
        yield vcard.people_to_vcards([_card_fields(row) | {"version": version}])


def csv_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """Many people as the documented CSV."""
    return csv_import.people_to_csv(rows)


def safe_filename(name: str) -> str:
    """An ASCII file name for a download ("Hélène Dupont" → "Helene-Dupont")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:60] or "contact"
