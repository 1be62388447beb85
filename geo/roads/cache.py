"""Arrays kept on disk as ``.npz`` files, written atomically, read back only when whole; each
folder keeps to a size by removing the files read least recently."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

CACHE_ENV = "DISPATCH_CACHE_DIR"
SIZE_ENV = "DISPATCH_CACHE_MAX_MB"
DEFAULT_MAX_MB = 4096.0
"""A 5,000-stop day's two road matrices take about 400 MB, so a few large days fit."""


def default_cache_dir() -> Path:
    """``$DISPATCH_CACHE_DIR``, else ``groupbuy-dispatch`` in the user's cache folder."""
    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "groupbuy-dispatch"


def size_limit_bytes() -> int:
    """``$DISPATCH_CACHE_MAX_MB`` (default 4,096) in bytes: what each cache folder may hold."""
    named = os.environ.get(SIZE_ENV, "").strip()
    try:
        mb = float(named) if named else DEFAULT_MAX_MB
    except ValueError:
        warnings.warn(
            f"{SIZE_ENV} must be a number of megabytes, not {named!r}; using {DEFAULT_MAX_MB:g}",
            stacklevel=2,
        )
        mb = DEFAULT_MAX_MB
    return max(0, int(mb * 1024 * 1024))


def read_arrays(file: Path) -> dict[str, npt.NDArray[Any]] | None:
    """The arrays stored in ``file``, or None when it is missing or unreadable. A file read is
    marked as used now, so that it is among the last to be removed."""
    try:
        with np.load(file, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    with contextlib.suppress(OSError):
        os.utime(file)
    return arrays


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
        return
    trim(file.parent, size_limit_bytes(), keep=file)


def trim(folder: Path, limit: int, *, keep: Path | None = None) -> list[Path]:
    """Remove the ``.npz`` files of ``folder`` used least recently until the rest fit in
    ``limit`` bytes (never ``keep``, the file just written); the files removed."""
    files = []
    for f in folder.glob("*.npz"):
        with contextlib.suppress(OSError):
            st = f.stat()
            files.append((st.st_mtime_ns, st.st_size, f))
    total = sum(size for _, size, _ in files)
    removed = []
    for _, size, f in sorted(files, key=lambda x: x[0]):
        if total <= limit:
            break
        if f == keep:
            continue
        with contextlib.suppress(OSError):
            f.unlink()
            removed.append(f)
        total -= size
    return removed
