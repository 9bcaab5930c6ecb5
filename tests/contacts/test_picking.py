"""Person pickers ("met through", the people of a give, a want-to-meet entry): typed, not
chosen from a list of everyone. Without JavaScript the typed text is resolved by the server,
which asks "which one?" when several people match; the choices API serves the script."""

import uuid

from fastapi.testclient import TestClient
from httpx import Response

from tests.contacts.test_api import data_url, photo_bytes
from tests.contacts.test_pages import capture_form
from tests.gives.test_api import event, person
from tests.helpers import one, parse, select_all, text_of


def post(client: TestClient, url: str, data: dict[str, str]) -> Response:
    return client.post(url, data=data, follow_redirects=False)


def test_a_typed_name_that_designates_one_person_is_that_person(zoe: TestClient) -> None:
    lea = person(zoe, "Léa Martin", company="Kiosque")
    person(zoe, "Samir Haddad")
    _, hidden = capture_form(zoe)
    answer = post(
        zoe,
        "/capture",
        {**hidden, "full_name": "Nina Roy", "met_through_id": "", "met_through_id_q": "lea"},
    )
    assert answer.status_code == 303, answer.text
    nina = zoe.get(f"/api/v1/contacts/{hidden['id']}").json()
    assert nina["met_through_id"] == lea
    # The edit form shows the person by name, and clearing the field clears the link.
    edit = zoe.get(f"/people/{hidden['id']}/edit").text
    assert one(edit, "input[name=met_through_id_q]")["value"] == "Léa Martin"
    assert one(edit, "input[name=met_through_id]")["value"] == lea
    assert not select_all(edit, "select[name=met_through_id]"), "no list of everyone"
    cleared = post(
        zoe,
        f"/people/{hidden['id']}/edit",
        {"full_name": "Nina Roy", "met_through_id": lea, "met_through_id_q": ""},
    )
    assert cleared.status_code == 303
    assert zoe.get(f"/api/v1/contacts/{hidden['id']}").json()["met_through_id"] is None


def test_several_matches_ask_which_one_and_nothing_is_stored_meanwhile(zoe: TestClient) -> None:
    first = person(zoe, "Léa Martin", company="Kiosque")
    second = person(zoe, "Léa Martin", company="Atelier Nord")
    _, hidden = capture_form(zoe)
    form = {
        **hidden,
        "full_name": "Nina Roy",
        "met_through_id": "",
        "met_through_id_q": "Léa Martin",
    }
    answer = post(zoe, "/capture", form)
    assert answer.status_code == 422
    assert (
        text_of(answer.text, "#e-met_through_id")
        == "Plusieurs personnes correspondent : choisissez-en une."
    )
    radios = select_all(
        answer.text, "fieldset.picker-choices input[type=radio][name=met_through_id]"
    )
    assert {radio["value"] for radio in radios} == {first, second}
    labels = [
        " ".join(label.get_text().split())
        for label in select_all(answer.text, "fieldset.picker-choices label")
    ]
    assert sorted(labels) == ["Léa Martin · Atelier Nord", "Léa Martin · Kiosque"]
    assert zoe.get(f"/api/v1/contacts/{hidden['id']}").status_code == 404
    # Choosing one of them (the text still shows what was typed) settles it.
    chosen = post(zoe, "/capture", {**form, "met_through_id": second})
    assert chosen.status_code == 303
    assert zoe.get(f"/api/v1/contacts/{hidden['id']}").json()["met_through_id"] == second


def test_nobody_found_is_said_and_another_users_people_are_never_found(
    zoe: TestClient, bob: TestClient
) -> None:
    bobs = person(bob, "Odile Secret")
    _, hidden = capture_form(zoe)
    answer = post(
        zoe, "/capture", {**hidden, "full_name": "Nina", "met_through_id_q": "Odile Secret"}
    )
    assert answer.status_code == 422
    assert text_of(answer.text, "#e-met_through_id") == "Personne de ce nom parmi vos contacts."
    assert "Odile" not in zoe.get("/api/v1/contacts/choices", params={"q": "odile"}).text
    # Another user's id in the hidden field is refused, not linked.
    answer = post(
        zoe,
        "/capture",
        {
            **hidden,
            "full_name": "Nina",
            "met_through_id": bobs,
            "met_through_id_q": "Odile Secret",
        },
    )
    assert answer.status_code == 422


def test_choices_tell_people_apart_and_show_a_photo_only_person_by_event(
    zoe: TestClient,
) -> None:
    salon = event(zoe, name="Salon Vivatech")
    photo_only = str(uuid.uuid4())
    answer = zoe.put(
        f"/api/v1/contacts/{photo_only}",
        json={"photo": data_url(photo_bytes()), "event_id": salon["id"], "hook": "badge bleu"},
    )
    assert answer.status_code == 201, answer.text
    person(zoe, "Léa Martin", company="Kiosque")
    recent = zoe.get("/api/v1/contacts/choices").json()
    unnamed = next(choice for choice in recent if choice["id"] == photo_only)
    assert unnamed["label"] == "" and unnamed["met_at_event"] == "Salon Vivatech"
    assert unnamed["photo_url"] == f"/api/v1/contacts/{photo_only}/photo"
    found = zoe.get("/api/v1/contacts/choices", params={"q": "kio"}).json()
    assert [(c["label"], c["company"]) for c in found] == [("Léa Martin", "Kiosque")]
    assert zoe.get("/api/v1/contacts/choices", params={"limit": 99}).status_code == 422


def test_a_give_and_an_introduction_are_planned_by_typing_names(zoe: TestClient) -> None:
    lea = person(zoe, "Léa Martin")
    sam = person(zoe, "Sam Vidal")
    give = str(uuid.uuid4())
    answer = post(zoe, "/gives", {"id": give, "contact_id_q": "lea", "other_contact_id_q": "vidal",
              "kind": "introduction", "title": "Présenter Léa à Sam", "status": "planned"},
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    stored = zoe.get(f"/api/v1/gives/{give}").json()
    assert (stored["contact_id"], stored["other_contact_id"]) == (lea, sam)
    edit = parse(zoe.get(f"/gives/{give}/edit").text)
    assert one(edit, "input[name=contact_id_q]")["value"] == "Léa Martin"
    assert one(edit, "input[name=other_contact_id_q]")["value"] == "Sam Vidal"
    # The person of a give is required.
    refused = post(
        zoe,
        "/gives",
        {"id": str(uuid.uuid4()), "contact_id_q": "", "title": "x", "kind": "resource"},
    )
    assert refused.status_code == 422
    assert text_of(refused.text, "#e-contact_id") == "Choisissez une personne."


def test_a_want_to_meet_entry_names_someone_known_by_typing(zoe: TestClient) -> None:
    lea = person(zoe, "Léa Martin")
    salon = event(zoe, ends_days_ago=-10)
    answer = post(
        zoe, f"/events/{salon['id']}/want-to-meet", {"contact_id_q": "léa", "why": "son atelier"}
    )
    assert answer.status_code == 303, answer.text
    wishes = zoe.get(f"/api/v1/events/{salon['id']}/want-to-meet").json()
    assert [(w["contact_id"], w["name"], w["why"]) for w in wishes] == [
        (lea, "Léa Martin", "son atelier")
    ]
