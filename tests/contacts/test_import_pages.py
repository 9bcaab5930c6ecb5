"""People import through the pages: choose a file, preview the counts, import; errors explained."""

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.contacts import importing
from tests.helpers import one, parse, select_all, text_of, texts_of

VCF = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hélène Dupont\r\nORG:Atelier Lumière\r\n"
    "EMAIL:helene@atelier.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bruno Petit\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+33612345678\r\nEND:VCARD\r\n"
).encode()


def counts(html: str) -> dict[str, str]:
    page = parse(html)
    rows = [row.get("data-count") for row in select_all(page, "li") if row.get("data-count")]
    values = texts_of(html, "ul.counts strong")
    return dict(zip(rows, values, strict=True))  # type: ignore[arg-type]


def test_preview_then_import_in_french(zoe: TestClient) -> None:
    zoe.put(
        "/api/v1/contacts/6f1c1f0e-0000-4000-8000-000000000001", json={"full_name": "Bruno Petit"}
    )
    preview = zoe.post(
        "/people/import",
        files={"file": ("contacts.vcf", VCF, "text/vcard")},
        data={"on_match": "merge"},
    )
    assert preview.status_code == 200
    assert counts(preview.text) == {"created": "1", "known": "1", "rejected": "1"}
    page = parse(preview.text)
    assert texts_of(page, "section[aria-labelledby=rejected-title] li small") == [
        "Ni nom, ni organisation, ni adresse e-mail pour désigner cette personne."
    ]
    assert texts_of(preview.text, "span.badge") == ["à fusionner avec Bruno Petit"]
    assert (
        zoe.get("/api/v1/contacts").json()["items"][0]["full_name"] == "Bruno Petit"
    )  # nothing saved yet
    payload = one(page, "input[name=payload]")
    saved = zoe.post(
        "/people/import/save",
        data={"payload": payload["value"], "filename": "contacts.vcf", "on_match": "merge"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/people"
    names = sorted(p["full_name"] for p in zoe.get("/api/v1/contacts").json()["items"])
    assert names == ["Bruno Petit", "Hélène Dupont"]
    assert text_of(zoe.get("/people"), "p.flash") == "Les personnes sont importées."


def test_broken_file_is_explained_in_english_and_imports_nothing(ann: TestClient) -> None:
    response = ann.post(
        "/people/import", files={"file": ("scan.pdf", b"%PDF-1.4 binary", "application/pdf")}
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert select_all(page, "input[name=file][aria-invalid=true]")
    assert "This is not a CSV file" in text_of(page, "p[role=alert]")
    empty = ann.post("/people/import/save", data={"payload": "not base64!", "filename": "x.vcf"})
    assert empty.status_code == 422
    assert ann.get("/api/v1/contacts").json()["items"] == []


def test_import_page_offers_the_exports(zoe: TestClient) -> None:
    page = parse(zoe.get("/people/import").text)
    assert select_all(page, "a[href='/api/v1/contacts/export.vcf']")
    assert select_all(page, "a[href='/api/v1/contacts/export.csv']")


def _import(client: TestClient, vcf: str) -> str:
    preview = client.post(
        "/people/import",
        files={"file": ("contacts.vcf", vcf.encode(), "text/vcard")},
        data={"on_match": "merge"},
    )
    assert preview.status_code == 200, preview.text
    payload = one(preview.text, "input[name=payload]")["value"]
    saved = client.post(
        "/people/import/save",
        data={"payload": payload, "filename": "contacts.vcf", "on_match": "merge"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    return preview.text


def card(name: str, org: str = "") -> str:
    return (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:"
        + name
        + (f"\r\nORG:{org}" if org else "")
        + ("\r\nEND:VCARD\r\n")
    )


def test_a_person_captured_with_a_name_only_is_recognised_and_merged(ann: TestClient) -> None:
    ann.put(
        "/api/v1/contacts/6f1c1f0e-0000-4000-8000-000000000002", json={"full_name": "Léa Martin"}
    )
    ann.put(
        "/api/v1/contacts/6f1c1f0e-0000-4000-8000-000000000003",
        json={"full_name": "Marc Petit", "company": "Acme"},
    )
    ann.put(
        "/api/v1/contacts/6f1c1f0e-0000-4000-8000-000000000004",
        json={"full_name": "Inès Roy", "company": "Globex"},
    )
    html = _import(
        ann, card("LEA MARTIN", "Atelier Nord") + card("marc petit") + card("Ines Roy", "Initech")
    )
    assert counts(html) == {"created": "1", "known": "2", "rejected": "0"}
    assert texts_of(html, "[data-known-as]") == [
        "to be merged with Léa Martin",
        "to be merged with Marc Petit · Acme",
    ]
    people = {p["full_name"]: p for p in ann.get("/api/v1/contacts").json()["items"]}
    # Never a double: the name-only capture is completed with the company; a different company
    # is another person.
    assert sorted(people) == ["Ines Roy", "Inès Roy", "Léa Martin", "Marc Petit"]
    assert people["Léa Martin"]["company"] == "Atelier Nord"
    assert people["Marc Petit"]["company"] == "Acme"


def test_the_person_page_asks_same_person_near_the_top(ann: TestClient) -> None:
    first = "6f1c1f0e-0000-4000-8000-000000000005"
    ann.put(f"/api/v1/contacts/{first}", json={"full_name": "Léa Martin", "hook": "vélos cargo"})
    ann.put(
        "/api/v1/contacts/6f1c1f0e-0000-4000-8000-000000000006",
        json={"full_name": "LEA MARTIN", "company": "Atelier Nord"},
    )
    html = ann.get(f"/people/{first}").text
    article = one(html, "article")
    sections = [
        section.get("data-same-person") is not None for section in article.find_all("section")
    ]
    assert sections[0], "the same-person question is the first section"
    assert "/people/" + first + "/merge?other=6f1c1f0e-0000-4000-8000-000000000006" in html


def _follow(client: TestClient, started: Any) -> list[dict[str, Any]]:
    """The progress the page would show, polled until the job ends."""
    assert started.status_code == 202, started.text
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(started.json()["progress"]).json()
        seen.append(state)
        if state["state"] != "running":
            return seen
        time.sleep(0.05)
    raise AssertionError("the job did not end")


def test_a_big_file_shows_its_progress_then_the_preview_and_the_import(
    zoe: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "IMPORT_BATCH", 100)
    data = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Personne {n}\r\nEND:VCARD\r\n" for n in range(1200)
    ).encode()
    started = zoe.post(
        "/people/import",
        files={"file": ("contacts.vcf", data, "text/vcard")},
        data={"on_match": "merge", "background": "1"},
    )
    seen = _follow(zoe, started)
    assert seen[-1]["state"] == "ready" and seen[-1]["text"] == "1\u202f200 sur 1\u202f200"
    preview = zoe.get(seen[-1]["next"])
    assert counts(preview.text) == {"created": "1200", "known": "0", "rejected": "0"}
    page = parse(preview.text)
    assert select_all(page, "form[data-import-progress] [role=status][aria-live=polite]")
    assert zoe.get("/api/v1/contacts").json()["items"] == []  # nothing saved yet
    payload = one(page, "input[name=payload]")["value"]
    started = zoe.post(
        "/people/import/save",
        data={"payload": payload, "filename": "contacts.vcf", "on_match": "merge",
              "background": "1"},
    )  # fmt: skip
    seen = _follow(zoe, started)
    assert seen[-1]["state"] == "ready"
    done = zoe.get(seen[-1]["next"], follow_redirects=False)
    assert done.headers["location"] == "/people"
    assert len(zoe.get("/api/v1/contacts?limit=200").json()["items"]) == 200


def test_a_refused_file_in_the_background_says_why(zoe: TestClient) -> None:
    started = zoe.post(
        "/people/import",
        files={"file": ("scan.pdf", b"%PDF-1.4 binary", "application/pdf")},
        data={"background": "1"},
    )
    seen = _follow(zoe, started)
    assert seen[-1]["state"] == "failed"
    assert "fichier CSV" in seen[-1]["error"]
    page = zoe.get(seen[-1]["next"])
    assert page.status_code == 422
    assert "fichier CSV" in text_of(parse(page.text), "p[role=alert]")
