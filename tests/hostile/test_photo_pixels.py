"""A photo costs what a badge photo needs: huge images are refused or decoded scaled down."""

import io
import subprocess
import sys
import uuid

from fastapi.testclient import TestClient
from PIL import Image

from app.contacts import photos


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, "JPEG", quality=50)
    return out.getvalue()


def test_a_small_file_of_huge_pixels_is_refused(alice: TestClient) -> None:
    data = png(6300, 6300)
    assert len(data) < 200_000
    person = f"/api/v1/contacts/{uuid.uuid4()}"
    assert alice.put(person, json={"full_name": "Léa Dubois"}).status_code in {200, 201}
    response = alice.put(f"{person}/photo", content=data, headers={"Content-Type": "image/png"})
    assert response.status_code == 422, response.text


def test_a_big_phone_jpeg_decodes_small() -> None:
    image = photos.open_for_badge(jpeg(8000, 6000), 1024)
    assert max(image.size) <= 4096


DECODE = """
import resource, sys
from app.contacts import photos
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photos.open_for_badge(data, 1024)
except photos.TooManyPixels:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_decoding_memory_stays_small(tmp_path: object) -> None:
    """Measured with `resource` in a fresh process: Pillow's buffers are not seen by tracemalloc."""
    for name, data in [("big.png", png(6300, 6300)), ("big.jpg", jpeg(8000, 6000))]:
        path = f"{tmp_path}/{name}"
        with open(path, "wb") as file:
            file.write(data)
        grown_kb = int(
            subprocess.run(
                [sys.executable, "-c", DECODE, path], capture_output=True, text=True, check=True
            ).stdout
        )
        assert grown_kb < 60_000, (name, grown_kb)
