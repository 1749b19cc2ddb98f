"""The service directory: HSDS 3.0 in SQLite, with search.

The contract everything else uses (implemented in the modules of this package):

- ``open_directory(path) -> Directory``
- ``Directory.info() -> DirectoryInfo(services: int, built: str)``
- ``Directory.get(service_id) -> Service | None``
- ``Directory.search(*, needs=(), municipality=None, language=None, age=None,
  open_at=None, now=None, text=None, free=None, wheelchair=None, limit=10, offset=0)
  -> list[ServiceHit]`` ranked, each hit saying why it matched.
- ``Directory.services() -> Iterator[Service]``
"""
from __future__ import annotations

from .hours import OpenStatus, open_status
from .search import Directory, DirectoryError, DirectoryInfo, open_directory

__all__ = ["Directory", "DirectoryError", "DirectoryInfo", "OpenStatus", "open_directory", "open_status"]
