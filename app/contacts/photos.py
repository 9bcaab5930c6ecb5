"""What kind of image some bytes are, read by Pillow: one answer for captured and imported photos."""

import io

from PIL import Image, UnidentifiedImageError

# The formats a person's photo may be kept in (Pillow's names), which phones and browsers all
# show, with their MIME types.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
MIME_TYPES = frozenset(FORMATS.values())


def image_type(data: bytes) -> str | None:
    """The MIME type of an image in one of FORMATS, from its content (never its name), else None."""
    try:
        # Image.open reads the header only: cheap even for a large photo, and nothing is decoded.
        with Image.open(io.BytesIO(data)) as probe:
            return FORMATS.get(probe.format or "")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
