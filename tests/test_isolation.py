"""Every user sees only their own data: for every route that names an object, another user gets 404.

Each feature adds a case here: a function that creates one of Alice's objects and returns the
requests that reach it. The last test fails when a route with a path parameter has no case.
"""

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.helpers import assert_isolated

Requests = list[tuple[str, str, Any]]


def _token_requests(alice: TestClient) -> Requests:
    token_id = alice.post("/api/v1/tokens", json={"name": "alice's"}).json()["id"]
    return [
        ("DELETE", f"/api/v1/tokens/{token_id}", None),
        ("POST", f"/settings/tokens/{token_id}/revoke", None),
    ]


def _event_requests(alice: TestClient) -> Requests:
    event = alice.post(
        "/api/v1/events", json={"name": "Alice's salon", "starts_at": "2027-03-10T09:00:00+01:00"}
    ).json()
    base = f"/api/v1/events/{event['id']}"
    wish = alice.post(f"{base}/want-to-meet", json={"name": "Léa"}).json()
    page = f"/events/{event['id']}"
    return [
        ("GET", base, None),
        ("GET", f"{base}.ics", None),
        ("PATCH", base, {"name": "taken"}),
        ("GET", f"{base}/want-to-meet", None),
        ("POST", f"{base}/want-to-meet", {"name": "intruder"}),
        ("DELETE", f"{base}/want-to-meet/{wish['id']}", None),
        ("DELETE", base, None),
        ("GET", page, None),
        ("GET", f"{page}/edit", None),
        ("POST", f"{page}/edit", None),
        ("POST", f"{page}/status", None),
        ("GET", f"{page}/delete", None),
        ("POST", f"{page}/delete", None),
        ("POST", f"{page}/want-to-meet", None),
        ("POST", f"{page}/want-to-meet/{wish['id']}/delete", None),
    ]


def _feed_requests(alice: TestClient) -> Requests:
    from app.events.models import EventFeed

    app = alice.app
    from sqlmodel import Session, select

    from app.accounts.models import User

    with Session(app.state.engine) as session:  # type: ignore[attr-defined]
        owner = session.exec(select(User).where(User.email == "alice@example.org")).one()
        feed = EventFeed(owner_id=owner.id, url="https://example.org/alice.ics")
        session.add(feed)
        session.commit()
        feed_id = feed.id
    return [
        ("DELETE", f"/api/v1/feeds/{feed_id}", None),
        ("POST", f"/events/feeds/{feed_id}/delete", None),
    ]


def _contact_requests(alice: TestClient) -> Requests:
    import uuid

    person_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Alice's friend"})
    alice.put(f"/api/v1/contacts/{other_id}", json={"full_name": "Alice's other friend"})
    gif = "R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw=="
    alice.put(f"/api/v1/contacts/{person_id}", json={"photo": gif})
    interaction = alice.post(
        f"/api/v1/contacts/{person_id}/interactions", json={"kind": "call"}
    ).json()
    referral = alice.post(f"/api/v1/contacts/{person_id}/referrals", json={"whom": "x"}).json()
    base = f"/api/v1/contacts/{person_id}"
    page = f"/people/{person_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}.vcf", None),
        ("PATCH", base, {"full_name": "taken"}),
        ("PUT", base, {"full_name": "taken"}),
        ("GET", f"{base}/photo", None),
        ("PUT", f"{base}/photo", None),
        ("GET", f"{base}/interactions", None),
        ("POST", f"{base}/interactions", {"kind": "call"}),
        ("DELETE", f"{base}/interactions/{interaction['id']}", None),
        ("POST", f"{base}/merge", {"other_id": other_id}),
        ("POST", f"/api/v1/contacts/{other_id}/merge", {"other_id": person_id}),
        ("DELETE", f"{base}/photo", None),
        ("DELETE", f"{base}?erase=true&do_not_bring_back=true", None),
        ("DELETE", base, None),
        ("GET", f"{page}/erase", None),
        ("POST", f"{page}/erase", None),
        *PAGE_REQUESTS(page, person_id, other_id, interaction["id"], referral["id"]),
    ]


def PAGE_REQUESTS(
    page: str, person_id: str, other_id: str, interaction_id: str, referral_id: str
) -> Requests:
    """The people pages that name a person."""
    ids = {"page": page, "other": other_id, "interaction": interaction_id, "referral": referral_id}
    return [(method, url.format(**ids), None) for method, url in PEOPLE_PAGES]


PEOPLE_PAGES: list[tuple[str, str]] = [
    ("GET", "{page}"),
    ("POST", "{page}/keeping"),
    ("POST", "{page}/snooze"),
    ("POST", "{page}/stages"),
    ("POST", "{page}/address-as"),
    ("POST", "{page}/referrals"),
    ("POST", "{page}/referrals/{referral}/delete"),
    ("GET", "{page}/edit"),
    ("POST", "{page}/edit"),
    ("POST", "{page}/interactions"),
    ("POST", "{page}/interactions/{interaction}/delete"),
    ("GET", "{page}/merge?other={other}"),
    ("POST", "{page}/merge"),
    ("GET", "{page}/delete"),
    ("POST", "{page}/delete"),
]


def _give_requests(alice: TestClient) -> Requests:
    import uuid

    person_id, give_id = str(uuid.uuid4()), str(uuid.uuid4())
    alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Alice's friend"})
    alice.put(f"/api/v1/gives/{give_id}", json={"contact_id": person_id, "kind": "resource"})
    event = alice.post(
        "/api/v1/events", json={"name": "Alice's salon", "starts_at": "2026-03-10T09:00:00+01:00"}
    ).json()
    referral = alice.post(f"/api/v1/contacts/{person_id}/referrals", json={"whom": "x"}).json()
    base = f"/api/v1/gives/{give_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}.ics", None),
        ("PATCH", base, {"title": "taken"}),
        ("PUT", base, {"title": "taken"}),
        ("GET", f"/api/v1/events/{event['id']}/follow-up", None),
        ("POST", f"/api/v1/events/{event['id']}/follow-up/{person_id}/sent", {"channel": "copy"}),
        ("GET", f"/api/v1/contacts/{person_id}/referrals", None),
        ("POST", f"/api/v1/contacts/{person_id}/referrals", {"whom": "x"}),
        ("DELETE", f"/api/v1/contacts/{person_id}/referrals/{referral['id']}", None),
        *[
            (method, url.format(give=give_id, event=event["id"], person=person_id), None)
            for method, url in GIVE_PAGES
        ],
        ("DELETE", base, None),
    ]


GIVE_PAGES: list[tuple[str, str]] = [
    ("GET", "/gives/{give}"),
    ("GET", "/gives/{give}/edit"),
    ("POST", "/gives/{give}/edit"),
    ("POST", "/gives/{give}/status"),
    ("POST", "/gives/{give}/snooze"),
    ("POST", "/gives/{give}/intro"),
    ("GET", "/events/{event}/follow-up"),
    ("POST", "/events/{event}/follow-up/{person}/accept"),
    ("POST", "/events/{event}/follow-up/{person}/dismiss"),
    ("POST", "/events/{event}/follow-up/{person}/sent"),
    ("GET", "/gives/{give}/delete"),
    ("POST", "/gives/{give}/delete"),
]


def _card_requests(alice: TestClient) -> Requests:
    import uuid

    alice.patch("/api/v1/card", json={"enabled": True, "slug": "alice-card"})
    left = alice.put(
        f"/api/v1/card/kiosk/{uuid.uuid4()}",
        json={"full_name": "Léa", "email": "lea@example.org", "consents": ["follow_up"]},
    ).json()
    return [
        ("POST", f"/api/v1/card/inbox/{left['id']}/accept", None),
        ("POST", f"/api/v1/card/inbox/{left['id']}/discard", None),
        ("POST", f"/card/inbox/{left['id']}/accept", None),
        ("POST", f"/card/inbox/{left['id']}/discard", None),
    ]


CASES: dict[str, Callable[[TestClient], Requests]] = {
    "card inbox": _card_requests,
    "gives": _give_requests,
    "people": _contact_requests,
    "access tokens": _token_requests,
    "events": _event_requests,
    "feeds": _feed_requests,
}

COVERED_ROUTES = {
    "/api/v1/tokens/{token_id}",
    "/settings/tokens/{token_id}/revoke",
    "/api/v1/events/{event_id}",
    "/api/v1/events/{event_id}.ics",
    "/api/v1/events/{event_id}/want-to-meet",
    "/api/v1/events/{event_id}/want-to-meet/{wish_id}",
    "/api/v1/feeds/{feed_id}",
    "/events/feeds/{feed_id}/delete",
    "/events/{event_id}",
    "/events/{event_id}/edit",
    "/events/{event_id}/status",
    "/events/{event_id}/delete",
    "/events/{event_id}/want-to-meet",
    "/events/{event_id}/want-to-meet/{wish_id}/delete",
    "/api/v1/contacts/{contact_id}",
    "/api/v1/contacts/{contact_id}.vcf",
    "/api/v1/contacts/{contact_id}/photo",
    "/api/v1/contacts/{contact_id}/interactions",
    "/api/v1/contacts/{contact_id}/interactions/{interaction_id}",
    "/api/v1/contacts/{contact_id}/merge",
    "/people/{contact_id}",
    "/people/{contact_id}/edit",
    "/people/{contact_id}/interactions",
    "/people/{contact_id}/interactions/{interaction_id}/delete",
    "/people/{contact_id}/merge",
    "/people/{contact_id}/delete",
    "/people/{contact_id}/erase",
    "/people/{contact_id}/keeping",
    "/people/{contact_id}/snooze",
    "/people/{contact_id}/stages",
    "/people/{contact_id}/address-as",
    "/people/{contact_id}/referrals",
    "/people/{contact_id}/referrals/{referral_id}/delete",
    "/api/v1/gives/{give_id}",
    "/api/v1/gives/{give_id}.ics",
    "/api/v1/events/{event_id}/follow-up",
    "/api/v1/contacts/{contact_id}/referrals",
    "/api/v1/contacts/{contact_id}/referrals/{referral_id}",
    "/gives/{give_id}",
    "/gives/{give_id}/edit",
    "/gives/{give_id}/status",
    "/gives/{give_id}/snooze",
    "/gives/{give_id}/intro",
    "/gives/{give_id}/delete",
    "/events/{event_id}/follow-up",
    "/events/{event_id}/follow-up/{contact_id}/accept",
    "/events/{event_id}/follow-up/{contact_id}/dismiss",
    "/events/{event_id}/follow-up/{contact_id}/sent",
    "/api/v1/events/{event_id}/follow-up/{contact_id}/sent",
    # The feed is opened by its secret token alone: see test_a_feed_token_opens_only_its_owners_feed.
    "/calendar/{token}.ics",
    "/api/v1/card/inbox/{submission_id}/accept",
    "/api/v1/card/inbox/{submission_id}/discard",
    "/card/inbox/{submission_id}/accept",
    "/card/inbox/{submission_id}/discard",
    # A kiosk's client id is scoped to its owner: another user's same id is their own submission.
    "/api/v1/card/kiosk/{client_id}",
    # Public by design, by slug or by a receipt's secret key: see tests/card/test_isolation.py.
    "/c/{slug}",
    "/c/{slug}.vcf",
    "/c/{slug}/qr.svg",
    "/c/{slug}/photo",
    "/c/{slug}/events",
    "/c/{slug}/events.ics",
    "/c/{slug}/details",
    "/left/{submission_id}/{key}",
    "/left/{submission_id}/{key}/erase",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_another_user_gets_404(case: str, alice: TestClient, bob: TestClient) -> None:
    requests = CASES[case](alice)
    assert_isolated(alice, bob, requests)


def test_alices_token_still_works_after_bobs_attempts(alice: TestClient, bob: TestClient) -> None:
    requests = _token_requests(alice)
    assert_isolated(alice, bob, requests)
    assert len(alice.get("/api/v1/tokens").json()) == 2


def test_a_feed_token_opens_only_its_owners_feed(
    alice: TestClient, bob: TestClient, client: TestClient
) -> None:
    alice.post(
        "/api/v1/events", json={"name": "Alice's salon", "starts_at": "2027-03-10T09:00:00+01:00"}
    )
    bob_url = urlsplit(bob.get("/api/v1/calendar").json()["url"]).path
    alice_url = urlsplit(alice.get("/api/v1/calendar").json()["url"]).path
    assert "Alice's salon" not in client.get(bob_url).text
    assert "Alice's salon" in client.get(alice_url).text
    assert client.get(bob_url.replace(".ics", "x.ics")).status_code == 404
    alice.post("/api/v1/calendar/rotate")
    assert client.get(alice_url).status_code == 404


def _paths(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """Every route's path, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path
        elif hasattr(route, "original_router"):
            context_prefix = getattr(route.include_context, "prefix", "") or ""
            yield from _paths(route.original_router.routes, prefix + context_prefix)


def test_every_route_with_an_object_id_has_an_isolation_case(app: FastAPI) -> None:
    routes = {path for path in _paths(app.routes) if "{" in path}
    assert "/api/v1/events/{event_id}" in routes, "the route walk found no routes"
    assert routes - COVERED_ROUTES == set(), "add an isolation case for these routes"
