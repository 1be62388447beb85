"""QR codes for pages: a link as inline SVG markup (segno), holding nothing but the encoded
data, so it can sit in a page under a strict policy."""

from __future__ import annotations

import segno


def qr_svg(url: str, *, scale: int = 4) -> str:
    """``url`` as a QR code: an ``<svg>`` element of dark modules on a light quiet zone."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=scale, light="#fff"))
