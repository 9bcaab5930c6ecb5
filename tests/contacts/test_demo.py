"""`givefirst demo` adds people met at the demo events, with hooks and needs, once."""

from fastapi import FastAPI
from sqlmodel import Session, select

from app import demo
from app.accounts import service as accounts
from app.contacts.models import Contact, Interaction, Meeting
from tests.helpers import create_user


def test_demo_adds_people_met_at_events_once(app: FastAPI) -> None:
    create_user(app, "zoe@example.org")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="zoe@example.org")
        summary = demo.fill(session, user=user)
        session.commit()
        assert "8 people added" in summary
        people = list(session.exec(select(Contact).where(Contact.owner_id == user.id)))
        assert len(people) == 8
        assert all(p.hook and p.needs for p in people)
        meetings = list(session.exec(select(Meeting).where(Meeting.owner_id == user.id)))
        assert len(meetings) == 8 and all(m.event_id for m in meetings)
        assert any(p.met_through_id for p in people)
        assert session.exec(select(Interaction).where(Interaction.owner_id == user.id)).first()
        assert "0 people added" in demo.fill(session, user=user)


def test_demo_adds_gives_of_every_kind_an_introduction_in_progress_and_referrals(
    app: FastAPI,
) -> None:
    from app.gives.models import Give, Referral

    create_user(app, "zoe@example.org")
    with Session(app.state.engine) as session:
        user = accounts.user_by_email(session, email="zoe@example.org")
        assert "8 gives added" in demo.fill(session, user=user)
        session.commit()
        all_gives = list(session.exec(select(Give).where(Give.owner_id == user.id)))
        assert {g.kind for g in all_gives} == {
            "introduction", "resource", "recommendation", "invitation", "help",
            "congratulation", "check_in",
        }  # fmt: skip
        assert [g.intro_state for g in all_gives if g.kind == "introduction"] == ["asked"]
        assert {g.status for g in all_gives} == {"idea", "planned", "done"}
        assert len(list(session.exec(select(Referral).where(Referral.owner_id == user.id)))) == 2
        assert "0 gives added" in demo.fill(session, user=user)
