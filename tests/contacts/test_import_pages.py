"""People import through the pages: choose a file, preview the counts, import; errors explained."""

from fastapi.testclient import TestClient

from tests.events.test_pages import texts
from tests.helpers import Page

VCF = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hélène Dupont\r\nORG:Atelier Lumière\r\n"
    "EMAIL:helene@atelier.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bruno Petit\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+33612345678\r\nEND:VCARD\r\n"
).encode()


def counts(html: str) -> dict[str, str]:
    page = Page(html)
    rows = [row.get("data-count") for row in page.find_all("li") if row.get("data-count")]
    values = texts(html, "strong", within=("ul", {"class": "counts"}))
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
    page = Page(preview.text)
    assert "Ni nom, ni organisation, ni adresse e-mail pour désigner cette personne." in page.text
    assert "connu" in texts(preview.text, "span", class_="badge")
    assert (
        zoe.get("/api/v1/contacts").json()["items"][0]["full_name"] == "Bruno Petit"
    )  # nothing saved yet
    payload = page.find("input", name="payload")
    assert payload is not None
    saved = zoe.post(
        "/people/import/save",
        data={"payload": payload["value"], "filename": "contacts.vcf", "on_match": "merge"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/people"
    names = sorted(p["full_name"] for p in zoe.get("/api/v1/contacts").json()["items"])
    assert names == ["Bruno Petit", "Hélène Dupont"]
    assert "Les personnes sont importées." in Page(zoe.get("/people").text).text


def test_broken_file_is_explained_in_english_and_imports_nothing(ann: TestClient) -> None:
    response = ann.post(
        "/people/import", files={"file": ("scan.pdf", b"%PDF-1.4 binary", "application/pdf")}
    )
    assert response.status_code == 422
    page = Page(response.text)
    assert page.find("input", name="file", **{"aria-invalid": "true"}) is not None
    assert "This is not a CSV file" in page.text
    empty = ann.post("/people/import/save", data={"payload": "not base64!", "filename": "x.vcf"})
    assert empty.status_code == 422
    assert ann.get("/api/v1/contacts").json()["items"] == []


def test_import_page_offers_the_exports(zoe: TestClient) -> None:
    page = Page(zoe.get("/people/import").text)
    assert page.find("a", href="/api/v1/contacts/export.vcf") is not None
    assert page.find("a", href="/api/v1/contacts/export.csv") is not None
