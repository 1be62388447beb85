"""QR codes as inline SVG: the code and nothing of the text it encodes."""

from __future__ import annotations

from api.views.qr import qr_svg


def test_qr_svg_holds_only_the_code() -> None:
    svg = qr_svg("https://dispatch.example/d/<script>")
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "script" not in svg
    assert "dispatch.example" not in svg
    assert "<path" in svg
