"""Secrets never reach the access log: the private calendar feed's token and the digest's
unsubscribe key are masked in uvicorn's access lines."""

import logging
import re

MASK = "***"
_SECRETS = [
    (re.compile(r"(/calendar/)[^/?#\s.]+(\.ics)"), rf"\g<1>{MASK}\g<2>"),
    (re.compile(r"([?&](?:key|token)=)[^&#\s]*"), rf"\g<1>{MASK}"),
]


def mask_secrets(text: str) -> str:
    """A request line with its secrets replaced by ***."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class MaskSecrets(logging.Filter):
    """Rewrites the path argument of uvicorn access records (and any string argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_secrets(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        return True


def install() -> None:
    """Mask secrets on the access logger once (each worker builds its app and calls this)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskSecrets) for f in logger.filters):
        logger.addFilter(MaskSecrets())
