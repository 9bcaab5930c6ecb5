"""The calendar token and the unsubscribe key never appear in access log lines."""

import logging

import pytest
from fastapi import FastAPI

from app.web.access_log import MaskSecrets, mask_secrets


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("/calendar/s3cr3tT0ken-abc_def.ics", "s3cr3tT0ken-abc_def"),
        ("/calendar/s3cr3tT0ken.ics?x=1", "s3cr3tT0ken"),
        ("/digest/unsubscribe?user=1b2c&key=SIGNATUREvalue", "SIGNATUREvalue"),
        ("/digest/unsubscribe?key=SIGNATUREvalue&user=1", "SIGNATUREvalue"),
    ],
)
def test_secrets_are_masked(line: str, secret: str) -> None:
    masked = mask_secrets(line)
    assert secret not in masked
    assert "***" in masked


def test_uvicorn_access_records_are_masked(app: FastAPI) -> None:
    logger = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, MaskSecrets) for f in logger.filters)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/calendar/s3cr3t.ics", "1.1", 200),
        None,
    )
    for log_filter in logger.filters:
        log_filter.filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/calendar/***.ics" in record.getMessage()
