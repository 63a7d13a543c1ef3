"""Write the built site: every file into a fresh folder, then swap it in only when all went well."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: its path relative to the site root and its bytes."""

    path: str
    data: bytes
    source: str = ""  # what produced it, for error messages about URL collisions


def check_outputs(files: list[OutputFile]) -> None:
    """Refuse destinations outside the site and two files claiming one path."""
    problems: list[Problem] = []
    claimed: dict[str, OutputFile] = {}
    for f in files:
        pure = PurePosixPath(f.path)
        if pure.is_absolute() or ".." in pure.parts or f.path.startswith(("/", "\\")) or "\\" in f.path or not pure.parts:
            problems.append(Problem(f.source or f.path, 1, f"output path {f.path!r} would leave the site folder"))
            continue
        key = f.path.casefold()
        if key in claimed:
            problems.append(Problem(f.source or f.path, 1, f"two pages claim the URL {f.path}: also {claimed[key].source or claimed[key].path}"))
        else:
            claimed[key] = f
    if problems:
        raise BuildError(problems)


def destination(root: Path, relative: str) -> Path:
    """The file for a site path, guaranteed to stay inside root (symlinks resolved)."""
    root = root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise BuildError([Problem(relative, 1, f"output path {relative!r} would leave {root}")])
    return target


def write_tree(files: list[OutputFile], root: Path, fresh: bool = False) -> None:
    """Write files under root (which must exist and be empty or stale-free).

    fresh=True: root is a folder this build just made, so it holds no symlink to follow, and the paths
    passed check_outputs (relative, no '..'): they stay inside it without resolving each one.
    """
    if not fresh:
        for f in sorted(files, key=lambda f: f.path):
            target = destination(root, f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.data)
        return
    check_outputs(files)
    base = str(root.resolve())
    made: set[str] = set()
    for f in sorted(files, key=lambda f: f.path):
        folder, _, _name = f.path.rpartition("/")
        if folder and folder not in made:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            made.add(folder)
        with open(os.path.join(base, f.path), "wb") as handle:
            handle.write(f.data)


def publish(files: list[OutputFile], out_dir: Path) -> None:
    """Build the whole site in a temporary sibling folder and replace out_dir only on success."""
    check_outputs(files)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        write_tree(files, tmp, fresh=True)
        os.chmod(tmp, 0o755)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
