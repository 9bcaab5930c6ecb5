"""Every control's accessible name contains its visible text (WCAG 2.5.3, label in name), on the
pages that give controls an `aria-label`, in French and English."""

from fastapi.testclient import TestClient

from app.text import fold
from tests.gives.test_api import event, paris_today, person, put_give
from tests.helpers import select_all


def _words(text: str) -> str:
    return " ".join(fold(text.replace("\u00a0", " ")).split())


def _mismatches(html: str) -> list[tuple[str, str]]:
    wrong = []
    for control in select_all(html, "a[aria-label], button[aria-label]"):
        visible = _words(control.get_text(" "))
        name = _words(str(control["aria-label"]))
        if visible and visible not in name:
            wrong.append((visible, name))
    return wrong


def test_accessible_names_contain_the_visible_text_in_french(zoe: TestClient) -> None:
    _check(zoe)


def test_accessible_names_contain_the_visible_text_in_english(ann: TestClient) -> None:
    _check(ann)


def _check(client: TestClient) -> None:
    salon = event(client, ends_days_ago=-2, name="Salon Pro")
    lea = person(client, "Léa Martin", event_id=salon["id"])
    put_give(
        client, contact_id=lea, kind="resource", title="l’article", due_on=paris_today().isoformat()
    )
    client.post(
        f"/api/v1/events/{salon['id']}/want-to-meet", json={"name": "Marc Petit", "why": "SaaS"}
    )
    client.post(f"/api/v1/contacts/{lea}/interactions", json={"kind": "note", "note": "Café"})
    client.post(f"/api/v1/contacts/{lea}/referrals", json={"whom": "Inès"})
    checked = 0
    for path in ("/", "/gives", f"/people/{lea}", f"/events/{salon['id']}", "/network", "/people"):
        html = client.get(path).text
        checked += len(select_all(html, "a[aria-label], button[aria-label]"))
        assert _mismatches(html) == [], path
    assert checked >= 4, "the pages hold controls with an accessible name of their own"
