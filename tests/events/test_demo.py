"""`givefirst demo` adds a realistic year of events, one of them repeating."""

from fastapi import FastAPI
from sqlmodel import Session, select

from app import demo
from app.accounts import service as accounts
from app.contacts import want_to_meet
from app.events import service as events
from app.events.models import Event
from tests.helpers import create_user


def test_demo_adds_a_year_of_events_once(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="zoe@example.org")
        demo.fill(session, user=user)
        session.commit()
        all_events = list(session.exec(select(Event).where(Event.owner_id == user.id)))
        assert {e.kind for e in all_events} >= {"salon", "conference", "meetup", "workshop"}
        assert {e.city for e in all_events} >= {"Paris", "Lyon", "Nantes"}
        repeating = [e for e in all_events if (e.source_uid or "").startswith("freelances-lyon@")]
        assert len(repeating) >= 10
        assert len({e.starts_at.date() for e in repeating}) == len(repeating)
        salon = next(
            e
            for e in all_events
            if e.name.startswith("Salon des Entrepreneurs") and e.status == "going"
        )
        assert [e.status for e in events.earlier_editions(session, owner=user, event=salon)] == [
            "attended"
        ]
        assert len(want_to_meet.list_want_to_meet(session, owner=user, event=salon)) == 2
        assert "0 events added" in demo.fill(session, user=user)
