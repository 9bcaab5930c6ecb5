"""The givefirst command: serve, migrate, users, tokens, demo, periodic jobs, and one's data
(export, import, delete an account, back up)."""

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlmodel import Session

from app import demo, jobs
from app.accounts import service as accounts
from app.config import Settings
from app.db import make_engine, migrate
from app.errors import AppError
from app.portability import backup as backups
from app.portability import service as portability
from app.portability.archive import open_archive
from app.web.i18n import use_locale
from app.wiring import wiring


def _session(settings: Settings) -> Session:
    return Session(make_engine(settings.sqlalchemy_url), expire_on_commit=False)


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    migrate(settings.sqlalchemy_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        workers=args.workers,
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings.sqlalchemy_url)
    print("migrations applied")
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password("Password: ")
    with _session(settings) as session:
        user = accounts.create_user(
            session,
            email=args.email,
            password=password,
            display_name=args.name or "",
            locale=args.locale,
            timezone=settings.default_timezone,
        )
        session.commit()
        print(f"created user {user.email}")
    return 0


def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        user = accounts.user_by_email(session, email=args.email)
        _token, secret = accounts.create_token(session, user=user, name=args.name or "cli")
        session.commit()
    print(secret)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        user, password = demo.demo_account(
            session, email=args.email, timezone=settings.default_timezone
        )
        summary = demo.fill(session, user=user)
        session.commit()
    if password:
        print(f"created demo account {user.email} with password {password}")
    print(summary)
    return 0


def cmd_jobs_run(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        report = jobs.run_all(session, settings=settings, sections=wiring().digest_sections)
    print(report)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        user = accounts.user_by_email(session, email=args.email)
    target = Path(args.output)
    partial = target.with_name(f".{target.name}.partial")
    manifest = portability.build_export(
        engine, user_id=user.id, path=partial, sources=wiring().calendar_sources
    )
    partial.replace(target)
    engine.dispose()
    counts = ", ".join(f"{kind} {count}" for kind, count in manifest["counts"].items() if count)
    print(f"exported {user.email} to {target}: {counts}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session, open_archive(Path(args.file)) as extracted:
        user = accounts.user_by_email(session, email=args.email)
        report = portability.restore(
            session, user=user, extracted=extracted, mode=args.mode, dry_run=args.dry_run,
            secret=settings.secret,
        )  # fmt: skip
        if not args.dry_run:
            session.commit()
    for kind, counts in report.counts.items():
        if counts.new or counts.changed or counts.conflicts:
            print(f"{kind}: {counts.new} new, {counts.changed} changed, "
                  f"{counts.unchanged} unchanged, {counts.conflicts} conflicts")  # fmt: skip
    for conflict in report.conflicts[:20]:
        print(f"conflict: {conflict['table']} {conflict['id']}: {conflict['reason']}")
    print("preview only: nothing written" if args.dry_run else f"{args.mode} done")
    return 0


def cmd_users_delete(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        user = accounts.user_by_email(session, email=args.email)
        if not args.yes:
            if not sys.stdin.isatty():
                print("error: add --yes to delete an account without a prompt", file=sys.stderr)
                return 2
            typed = input(f"Type the e-mail address to delete {user.email} and all its data: ")
            if typed.strip().lower() != user.email:
                print("nothing deleted")
                return 1
        email = user.email
        portability.delete_account(session, user=user)
        session.commit()
    print(f"deleted {email} and all its data")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = backups.backup(settings, Path(args.file))
    except backups.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backed up to {args.file}: database {summary['database_bytes']} bytes, "
          f"secret key, {summary['files']} other files")  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line as in the design's contract."""
    parser = argparse.ArgumentParser(
        prog="givefirst", description="Givefirst: meet people at events and give first."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply pending migrations, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", help="apply pending migrations").set_defaults(run=cmd_migrate)

    users = commands.add_parser("users", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    create_user = users.add_parser(
        "create", help="create an account; the password is read from standard input"
    )
    create_user.add_argument("email")
    create_user.add_argument("--name")
    create_user.add_argument("--locale", default="fr", choices=["fr", "en"])
    create_user.set_defaults(run=cmd_users_create)
    delete_user = users.add_parser("delete", help="delete an account and every row of its data")
    delete_user.add_argument("email")
    delete_user.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete_user.set_defaults(run=cmd_users_delete)

    export = commands.add_parser("export", help="write an account's archive (ZIP)")
    export.add_argument("email")
    export.add_argument("-o", "--output", required=True, help="the archive to write")
    export.set_defaults(run=cmd_export)

    restore = commands.add_parser("import", help="restore or merge an archive into an account")
    restore.add_argument("email")
    restore.add_argument("file")
    restore.add_argument("--mode", choices=["restore", "merge"], default="restore")
    restore.add_argument("--dry-run", action="store_true", help="preview only")
    restore.set_defaults(run=cmd_import)

    backup = commands.add_parser(
        "backup", help="a consistent copy of a running SQLite instance with its secret key"
    )
    backup.add_argument("file", help="the .tar.gz to write")
    backup.set_defaults(run=cmd_backup)

    tokens = commands.add_parser("tokens", help="personal access tokens").add_subparsers(
        dest="action", required=True
    )
    create_token = tokens.add_parser("create", help="print a new personal access token")
    create_token.add_argument("email")
    create_token.add_argument("--name", help="a label for the token")
    create_token.set_defaults(run=cmd_tokens_create)

    demo = commands.add_parser("demo", help="fill an empty account with realistic sample data")
    demo.add_argument(
        "email",
        nargs="?",
        help="the account to fill (default: the only one, or a new demo account)",
    )
    demo.set_defaults(run=cmd_demo)

    jobs = commands.add_parser("jobs", help="periodic work").add_subparsers(
        dest="action", required=True
    )
    jobs.add_parser(
        "run", help="refresh subscribed feeds and send digests (safe from cron on several hosts)"
    ).set_defaults(run=cmd_jobs_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the givefirst command."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    run: Callable[[argparse.Namespace, Settings], int] = args.run
    try:
        if args.command not in {"serve", "migrate"}:
            migrate(settings.sqlalchemy_url)
        return run(args, settings)
    except AppError as error:
        with use_locale("en"):
            print(f"error: {error.detail()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
