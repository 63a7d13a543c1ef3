"""Problems found in content, reported as `path:line: message`."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning about one place in one file."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {tag}{self.message}"


class BuildError(Exception):
    """Raised when content has errors; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[BuildError], tuple[list[Problem]]]:
        """Pickle with the problems, not only their text (errors travel back from worker processes)."""
        return (BuildError, (self.problems,))


class Problems:
    """Collects problems across a whole load so all of them can be reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, path: Path | str, line: int, message: str) -> None:
        """Record an error at path:line."""
        self.items.append(Problem(display_path(path), line, message, "error"))

    def warning(self, path: Path | str, line: int, message: str) -> None:
        """Record a warning at path:line."""
        self.items.append(Problem(display_path(path), line, message, "warning"))

    def add(self, found: Iterable[Problem]) -> None:
        """Record problems found elsewhere, each already with its path and line."""
        self.items.extend(found)

    def extend(self, other: "Problems") -> None:
        """Take over every problem of another collector."""
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        """Only the errors, sorted by file and line."""
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings, sorted by file and line."""
        return sorted(p for p in self.items if p.severity == "warning")

    def raise_if_errors(self) -> None:
        """Raise BuildError with every error if there is at least one."""
        if self.errors:
            raise BuildError(self.errors)


def display_path(path: Path | str) -> str:
    """A path as the user typed it: relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
