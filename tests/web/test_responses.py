"""The JSON that hot routes serialize themselves is what FastAPI would have sent."""

import json
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from app.contacts.models import ContactPublic, MatchPublic
from app.web.responses import json_response


def test_a_model_and_a_list_of_models_as_json() -> None:
    match = MatchPublic(id=uuid.uuid4(), full_name="Hélène Dupont", company=None, email=None,
                        reason="name")  # fmt: skip
    one = json_response(match, status_code=201)
    assert one.status_code == 201 and one.media_type == "application/json"
    assert json.loads(bytes(one.body)) == json.loads(match.model_dump_json())
    many = json_response([match, match])
    assert json.loads(bytes(many.body)) == [json.loads(match.model_dump_json())] * 2
    assert json.loads(bytes(json_response([]).body)) == []


def test_a_capture_answers_what_its_response_model_describes(alice: TestClient) -> None:
    person_id = uuid.uuid4()
    answer = alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Élodie Martin"})
    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    public = ContactPublic.model_validate(answer.json())
    assert public.id == person_id and public.full_name == "Élodie Martin"
    assert public.updated_at <= datetime.now(UTC)
    again = alice.put(f"/api/v1/contacts/{person_id}", json={"full_name": "Élodie Martin"})
    assert again.status_code == 200 and again.json() == answer.json()
