"""The first day: an instance with no account opens on sign-up; an empty Today shows three
steps (say what you do, add your next event, capture your first person) that disappear once
done; the network profile is reachable from Today and the network page, and its confirmation is
shown in its own section."""

from fastapi.testclient import TestClient

from tests.gives.test_api import event, person
from tests.helpers import create_user, one, select_all, texts_of


def test_an_instance_with_no_account_opens_on_sign_up(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signup"


def test_an_instance_with_an_account_opens_on_sign_in(client: TestClient, app: object) -> None:
    create_user(client.app, "zoe@example.org", "Zoé")  # type: ignore[arg-type]
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/signin"


def _steps(html: str) -> list[str]:
    return [str(item["data-step"]) for item in select_all(html, "[data-first-steps] li")]


def test_three_steps_that_disappear_once_done(zoe: TestClient) -> None:
    html = zoe.get("/").text
    assert _steps(html) == ["profile", "event", "person"]
    assert texts_of(html, "[data-first-steps] strong") == [
        "Dites ce que vous faites",
        "Ajoutez votre prochain événement",
        "Enregistrez votre première rencontre",
    ]
    assert "0 étape faite sur 3" in one(html, "[data-first-steps]").get_text()
    links = [str(a["href"]) for a in select_all(html, "[data-first-steps] a")]
    assert links == ["/settings#network", "/events/new", "/capture"]
    # The generic "nothing planned" card does not repeat what the steps say.
    assert "Rien de prévu" not in html

    saved = zoe.patch("/api/v1/network/profile", json={"specialty": "Sites web pour artisans"})
    assert saved.status_code == 200
    assert _steps(zoe.get("/").text) == ["event", "person"]
    salon = event(zoe, ends_days_ago=-10, name="Salon Pro")
    html = zoe.get("/").text
    assert _steps(html) == ["person"]
    assert "2 étapes faites sur 3" in one(html, "[data-first-steps]").get_text()
    person(zoe, "Léa Martin", event_id=salon["id"])
    html = zoe.get("/").text
    assert not select_all(html, "[data-first-steps]")


def test_the_network_profile_is_reachable_and_its_confirmation_in_view(ann: TestClient) -> None:
    assert select_all(ann.get("/").text, "main a[href='/settings#network']")
    assert select_all(ann.get("/network").text, "main a[href='/settings#network']")
    ann.patch("/api/v1/network/profile", json={"specialty": "Web sites"})
    assert select_all(ann.get("/network").text, "main a[href='/settings#network']")
    response = ann.post(
        "/settings/network",
        data={"specialty": "Web sites for craftspeople", "event_cadence": "91"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/settings#network"
    html = ann.get("/settings").text
    assert one(html, "#network .flash").get_text() == "Your network profile is saved."
    # Shown once, where the form is, not at the top of the page far from it.
    assert len(select_all(html, ".flash")) == 1


def test_navigation_comes_before_content_in_tab_order(ann: TestClient) -> None:
    html = ann.get("/").text
    body = one(html, "body")
    tabs_and_main = [
        el.name for el in body.find_all(["nav", "main"])
        if el.name == "main" or "tabs" in (el.get("class") or [])
    ]  # fmt: skip
    order = tabs_and_main
    assert order == ["nav", "main"]
