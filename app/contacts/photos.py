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


# A badge photo is shown at most 1024 px wide: a JPEG of up to 50 megapixels (any phone's
# camera) is decoded at 1/2, 1/4 or 1/8 scale by `draft`, costing a few megabytes; other formats
# decode whole, so they are kept to 12 megapixels (48 MB at most). A 6300×6300 PNG is refused.
JPEG_MAX_PIXELS = 50_000_000
OTHER_MAX_PIXELS = 12_000_000


class TooManyPixels(ValueError):
    """An image larger than a badge photo can need."""


def open_for_badge(data: bytes, side: int) -> Image.Image:
    """Open and decode an image at about `side` pixels, never decoding more than needed:
    JPEG through `draft` (the decoder scales down), others refused past OTHER_MAX_PIXELS and
    then reduced. Raises TooManyPixels, or Pillow's errors for what is not an image."""
    image: Image.Image = Image.open(io.BytesIO(data))
    pixels = image.width * image.height
    if image.format == "JPEG":
        if pixels > JPEG_MAX_PIXELS:
            raise TooManyPixels(pixels)
        image.draft("RGB", (side, side))
    elif pixels > OTHER_MAX_PIXELS:
        raise TooManyPixels(pixels)
    image.load()
    factor = min(image.width, image.height) // (2 * side)
    if factor >= 2:
        image = image.reduce(factor)
    return image
