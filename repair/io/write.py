"""Atomic output: write to a temporary file beside the target, rename when complete."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence


def refuse_clobber(output: str | Path, inputs: Sequence[str | Path]) -> None:
    """Raise ValueError when ``output`` is one of ``inputs`` (an input is never overwritten)."""
    out = Path(output)
    if not out.exists():
        return
    for inp in inputs:
        if str(inp) == "-":
            continue
        with contextlib.suppress(OSError):
            if os.path.samefile(out, inp):
                raise ValueError(f"refusing to overwrite input file {inp}; choose another -o")


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block completes without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
