"""Keep a compiled object on disk, keyed by the bytes of everything it was built from.

Compiling the intents takes seconds; loading a pickle of the result takes a
fraction of one.  The key is a hash of every input file and of the code that
builds and reads the object, so an edited phrase or module is never served
stale.  Writes go to a temporary file that replaces the cache in one step, so
several processes starting at once never read half a file.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar, cast

log = logging.getLogger(__name__)

T = TypeVar("T")


def fingerprint(paths: Iterable[Path], extra: bytes = b"") -> str:
    """Hash the names and bytes of ``paths``, in the order given, and ``extra``."""
    digest = hashlib.sha256(extra)
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the garbage collector while a large object is made.

    Loading the compiled intents makes a few hundred thousand objects, none of them garbage, and the
    collector walked them again and again as they came: half the load time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_or_build(folder: Path, name: str, key: str, build: Callable[[], T]) -> T:
    """Return the cached result of ``build`` for ``key`` (a ``fingerprint``), or build it and cache it.

    ``name`` keeps one file per kind of object: a new one replaces the old ones of that name.
    """
    path = folder / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as handle, _collector_paused():
            return cast(T, pickle.load(handle))
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        log.info("compiled cache %s unreadable, rebuilding: %s", path.name, exc)
    with _collector_paused():
        value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle_fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        # mkstemp makes the file private; the cache is shared with the server's user.
        os.fchmod(handle_fd, 0o644)
        try:
            with os.fdopen(handle_fd, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        finally:
            Path(partial).unlink(missing_ok=True)
        for stale in folder.glob(f"{name}-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:  # a read-only install still works, only slower to start
        log.info("compiled cache not written: %s", exc)
    return value
