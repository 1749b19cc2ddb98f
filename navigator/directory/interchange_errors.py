"""What can go wrong in an HSDS import, said so a person can find and fix it."""
from __future__ import annotations

from dataclasses import dataclass

from .search import DirectoryError

# Beyond this many problems a list stops helping; the count still tells the size.
PROBLEM_LIMIT = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input: where it is and what is wrong."""

    file: str
    where: str  # "line 3" in a CSV file, a JSON path like "$[0].phones[1]", or "" for the file
    field: str  # the HSDS field, or "" when the whole record or file is at fault
    message: str

    def __str__(self) -> str:
        if self.where.startswith("$"):
            path = f"{self.where}.{self.field}" if self.field else self.where
            return f"{self.file} at {path}: {self.message}"
        place = " ".join(part for part in (self.file, self.where) if part)
        return f"{place}, field '{self.field}': {self.message}" if self.field else f"{place}: {self.message}"


class ImportError_(DirectoryError):  # the trailing underscore keeps clear of the builtin
    """An HSDS import failed; ``problems`` lists every problem found, up to a limit."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:PROBLEM_LIMIT]
        self.total = len(problems) if total is None else total
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems)} more problems")
        noun = "problem" if self.total == 1 else "problems"
        super().__init__(f"HSDS import failed with {self.total} {noun}:\n" + "\n".join(lines))
