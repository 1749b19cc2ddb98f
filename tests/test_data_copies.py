"""The project's copies of shared data stay equal to the originals (when those are present)."""
from __future__ import annotations

from pathlib import Path

import pytest

from navigator.settings import DATA_DIR

SHARED = Path(__file__).resolve().parents[2] / "shared"

COPIES = [
    (DATA_DIR / "needs.yaml", SHARED / "needs.yaml"),
    (DATA_DIR / "halton_services.csv", SHARED / "data" / "halton_services.csv"),
    (DATA_DIR / "halton_fsa.csv", SHARED / "data" / "halton_fsa.csv"),
]


@pytest.mark.parametrize(("copy", "original"), COPIES, ids=[c.name for c, _ in COPIES])
def test_copy_equals_shared_original(copy: Path, original: Path) -> None:
    if not original.exists():
        pytest.skip(f"{original} is not here to compare with")
    assert copy.read_bytes() == original.read_bytes(), f"{copy} differs from {original}"
