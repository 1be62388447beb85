"""The public surface of ``dispatch``: every name resolves, and importing the package is cheap."""

from __future__ import annotations

import subprocess
import sys

import dispatch


def test_every_public_name_resolves_to_its_home() -> None:
    """Each name of ``__all__`` is the object its stage module defines."""
    for name in dispatch.__all__:
        value = getattr(dispatch, name)
        assert value.__module__.startswith("dispatch."), name


def test_importing_dispatch_loads_no_stage() -> None:
    """``import dispatch`` alone imports none of its stages (helper processes stay fast)."""
    code = "import sys, dispatch; print(sorted(m for m in sys.modules if m.startswith('dispatch')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['dispatch']"
