"""Arrays kept on disk as ``.npz`` files, written atomically, read back only when whole."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

CACHE_ENV = "DISPATCH_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$DISPATCH_CACHE_DIR``, else ``groupbuy-dispatch`` in the user's cache folder."""
    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "groupbuy-dispatch"


def read_arrays(file: Path) -> dict[str, npt.NDArray[Any]] | None:
    """The arrays stored in ``file``, or None when it is missing or unreadable."""
    try:
        with np.load(file, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write_arrays(file: Path, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """Store ``arrays`` in ``file`` (a cache: a folder that cannot be written is skipped)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **dict(arrays))  # type: ignore[arg-type]
        os.replace(tmp, file)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
