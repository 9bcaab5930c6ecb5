"""The network through its pages: the profile in settings, keeping in touch, stages and referrals
on a person's page, and the network page with its counts and charts."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.clock import now
from tests.gives.test_api import event, paris_today, person, put_give
from tests.helpers import one, parse, select_all, selected, text_of, texts_of

# Due dates count in days from now: on a fixed instant, never across a midnight mid-test.
pytestmark = pytest.mark.usefixtures("clock")


def test_settings_save_the_network_profile_and_cadences(zoe: TestClient) -> None:
    form = {"specialty": "Comptable des artisans", "who_i_help": "Les artisans du bâtiment",
            "trigger_keyword": "bilan", "referral_offer": "Un premier rendez-vous offert",
            "event_cadence": "custom", "event_cadence_days": "45",
            "tag_name": ["client", ""], "tag_days": ["14", ""]}  # fmt: skip
    response = zoe.post("/settings/network", data=form, follow_redirects=False)
    assert response.headers["location"] == "/settings#network"
    profile = zoe.get("/api/v1/network/profile").json()
    assert (profile["specialty"], profile["event_cadence_days"], profile["tag_cadences"]) == (
        "Comptable des artisans",
        45,
        {"client": 14},
    )
    page = parse(zoe.get("/settings").text)
    assert one(page, "input[name=specialty]")["value"] == "Comptable des artisans"
    assert one(page, "input[name=event_cadence_days]")["value"] == "45"
    assert selected(zoe.get("/settings").text, "f-event_cadence") == "custom"
    bad = zoe.post("/settings/network", data={**form, "event_cadence_days": "-3"})
    assert bad.status_code == 422


def test_a_tag_cadence_changes_a_persons_next_touch(zoe: TestClient) -> None:
    old = event(zoe, ends_days_ago=20)
    lea = person(
        zoe,
        "Léa",
        tags=["client"],
        event_id=old["id"],
        met_at=(now() - timedelta(days=20)).isoformat(),
    )
    assert (
        zoe.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"] > paris_today().isoformat()
    )  # 91 days by default
    zoe.post(
        "/settings/network", data={"event_cadence": "91", "tag_name": "client", "tag_days": "7"}
    )
    due = zoe.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"]
    assert due < paris_today().isoformat()
    assert "Léa" in texts_of(zoe.get("/").text, "section[aria-labelledby=losing-title] a")


def test_person_cadence_snooze_stages_and_referrals(zoe: TestClient) -> None:
    old = event(zoe, ends_days_ago=200)
    lea = person(
        zoe,
        "Léa Martin",
        event_id=old["id"],
        met_at=(now() - timedelta(days=200)).isoformat(),
    )
    page = zoe.get(f"/people/{lea}").text
    assert "à faire" in texts_of(page, "section#keeping span")
    zoe.post(f"/people/{lea}/snooze", data={"days": "7"})
    assert "Léa Martin" not in texts_of(
        zoe.get("/").text, "section[aria-labelledby=losing-title] a"
    )
    zoe.post(f"/people/{lea}/keeping", data={"cadence": "0"})
    assert zoe.get(f"/api/v1/contacts/{lea}").json()["touch_due_on"] is None
    zoe.post(f"/people/{lea}/keeping", data={"cadence": "custom", "cadence_days": "400"})
    assert zoe.get(f"/api/v1/contacts/{lea}").json()["cadence_days"] == 400
    zoe.post(f"/people/{lea}/keeping", data={"cadence": "default"})
    assert zoe.get(f"/api/v1/contacts/{lea}").json()["cadence_days"] is None
    zoe.post(f"/people/{lea}/stages", data={"knows_what_i_do": "on"})
    stages = zoe.get(f"/api/v1/contacts/{lea}").json()
    assert (stages["knows_what_i_do"], stages["would_recommend"]) == (True, False)
    zoe.post(
        f"/people/{lea}/referrals",
        data={"whom": "Menuiserie Laurent", "received_on": "2026-10-02", "note": "bilan annuel"},
    )
    page = zoe.get(f"/people/{lea}").text
    assert any("Menuiserie Laurent" in line for line in texts_of(page, "section#network span"))
    referral = zoe.get(f"/api/v1/contacts/{lea}/referrals").json()[0]
    zoe.post(f"/people/{lea}/referrals/{referral['id']}/delete")
    assert zoe.get(f"/api/v1/contacts/{lea}/referrals").json() == []


def test_network_page_counts_charts_and_second_circle_in_english(ann: TestClient) -> None:
    amelie = person(ann, "Amélie", knows_what_i_do=True, would_recommend=True)
    karim = person(ann, "Karim", met_through_id=amelie, knows_what_i_do=True)
    person(ann, "Sophie")
    put_give(ann, contact_id=karim, kind="resource", status="done")
    put_give(ann, contact_id=amelie, kind="check_in", status="done")
    ann.post(
        f"/api/v1/contacts/{amelie}/referrals",
        json={"whom": "Laurent", "received_on": paris_today().isoformat()},
    )
    html = ann.get("/network").text
    counts = texts_of(html, "ol.funnel strong")
    assert counts == ["3", "2", "1", "1"]
    svgs = [svg for svg in select_all(html, "svg") if svg.get("role") == "img"]
    assert len(svgs) == 2
    assert len(select_all(html, "rect")) == 24  # twelve months, two charts
    assert text_of(html, "desc#gives-chart-desc") == "2 in 12 months; most in one month: 2."
    assert "Karim" in texts_of(html, "section[aria-labelledby=circle-title] a")
    # Counts of what I gave, never of what anyone gave back per person.
    assert "Amélie" not in texts_of(html, "section[aria-labelledby=referrals-title] a")
