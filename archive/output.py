"""Write the built site: every file into a fresh folder, then swap it in only when all went well."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from .errors import BuildError, Problem, display_path

if TYPE_CHECKING:
    from .executor import Runner

# Written into every site, so a later build knows the folder is one it may replace. A dot file with no
# page extension: static hosts do not list or serve it as a page, and it is the same in every build.
MARKER = ".archive-site"
MARKER_TEXT = b"A site built by build.py of the county reports archive: the next build may replace this folder.\n"
CODE_ROOT = Path(__file__).resolve().parent.parent  # the builder's own checkout


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
        if leaves_site(f.path):
            problems.append(Problem(f.source or f.path, 1, f"output path {f.path!r} would leave the site folder"))
            continue
        key = f.path.casefold()
        if key in claimed:
            other = claimed[key].source or claimed[key].path
            problems.append(Problem(f.source or f.path, 1, f"two pages claim the URL {f.path}: also {other}"))
        else:
            claimed[key] = f
    if problems:
        raise BuildError(problems)


def leaves_site(path: str) -> bool:
    """Whether a site path is absolute, climbs with '..', uses backslashes or is empty."""
    pure = PurePosixPath(path)
    return pure.is_absolute() or ".." in pure.parts or path.startswith(("/", "\\")) or "\\" in path or not pure.parts


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
    _write_fresh(files, root)


def _write_fresh(files: list[OutputFile], root: Path, previous: Path | None = None) -> None:
    """Write files into a folder this build made (paths already checked).

    previous: the site being replaced. A file whose bytes it already holds is hard-linked from it
    instead of written: no data written, and no new inode, which on this kind of file system (ext4
    skipping recently deleted inodes) costs far more than comparing the bytes.
    """
    base = str(root.resolve())
    old = str(previous.resolve()) if previous is not None else None
    made: set[str] = set()
    plain: dict[str, bool] = {}  # folder -> the previous site has it with no symlink on the way
    for f in sorted(files, key=lambda f: f.path):
        folder, _, _name = f.path.rpartition("/")
        if folder and folder not in made:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            made.add(folder)
        target = os.path.join(base, f.path)
        if old is not None and folder not in plain:
            inside = os.path.join(old, folder) if folder else old
            plain[folder] = os.path.realpath(inside) == inside
        if old is not None and plain[folder] and _holds(os.path.join(old, f.path), f.data):
            try:
                os.link(os.path.join(old, f.path), target)
                continue
            except OSError:  # no hard links here (or the file just went away): write it
                pass
        with open(target, "wb") as handle:
            handle.write(f.data)


def _holds(path: str, data: bytes) -> bool:
    """Whether path is a plain file with no other name holding exactly data."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data) or st.st_nlink != 1:
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def publish(files: list[OutputFile], out_dir: Path, project: Sequence[Protected] = (), replace_any: bool = False,
            published: Published | None = None, executor: Runner | None = None) -> None:
    """Build the whole site in a temporary sibling folder and replace out_dir only on success.

    published (a watch session's): instead, write into out_dir only the files whose bytes changed.
    executor: shares the writing between its processes (creating 2,500 files costs as much as a stage).
    """
    if published is not None:
        published.sync(files, out_dir)
        return
    with Staging(out_dir, project, replace_any) as staging:
        if executor is not None and executor.jobs > 1:
            n = executor.jobs
            executor.map(staging.write_ahead, [files[i::n] for i in range(n)])
            staging.written.update(f.path for f in files)  # what the processes noted stays with them
        staging.commit(files)


class OutDirRefused(Exception):
    """The output folder is one the builder must not replace; str() is `path: message`."""

    def __init__(self, path: Path, message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{display_path(path)}: {message}")


@dataclass(frozen=True)
class Protected:
    """A folder the output may never be or contain (nor sit inside, when inside=False)."""

    name: str
    path: Path
    inside: bool = True  # whether the output may sit inside it (site/ in the project root: yes; in content/: no)


class _Options(Protocol):
    """What the guard reads of BuildOptions (read-only, as it is frozen; output.py must not import archive.build)."""

    @property
    def content_dir(self) -> Path: ...
    @property
    def layouts_dir(self) -> Path: ...
    @property
    def config_file(self) -> Path: ...
    @property
    def out_dir(self) -> Path: ...
    @property
    def replace_out(self) -> bool: ...


def marker_file() -> OutputFile:
    """The marker file that every site carries."""
    return OutputFile(MARKER, MARKER_TEXT, "archive/output.py")


def project_folders(options: _Options) -> list[Protected]:
    """The folders a build reads from or lives in: never an output folder."""
    folders = [
        Protected("the project folder", options.content_dir.parent),
        Protected("the builder's own folder", CODE_ROOT),
        Protected("the current folder", Path.cwd()),
        Protected("the config file's folder", options.config_file.parent),
        Protected("the content folder", options.content_dir, inside=False),
        Protected("the layouts folder", options.layouts_dir, inside=False),
    ]
    return folders  # guard_out_dir adds the home folder to every check


def guard_options(options: _Options) -> list[Protected]:
    """Check options.out_dir against the project's folders (see guard_out_dir); those folders, for Staging."""
    project = project_folders(options)
    guard_out_dir(options.out_dir, project, options.replace_out)
    return project


def guard_out_dir(out_dir: Path, project: Sequence[Protected] = (), replace_any: bool = False) -> Path:
    """The resolved output folder, or OutDirRefused when replacing it could delete what is not ours.

    It may not be, contain, or (for content and layouts) sit inside a project folder; an existing
    folder must be empty or carry the marker, unless replace_any (which still refuses the rest).
    What killed builds left beside an acceptable folder is cleaned up (clean_leftovers).
    """
    out = out_dir.resolve()
    folders = [(folder, folder.path.resolve()) for folder in [*project, Protected("your home folder", Path.home())]]
    for folder, where in folders:
        if out == where:
            raise OutDirRefused(out_dir, f"is {folder.name}; the site needs a folder of its own (e.g. site/)")
    for folder, where in folders:
        if where.is_relative_to(out):
            raise OutDirRefused(out_dir, f"contains {folder.name} ({display_path(where)}); replacing it would delete it")
        if not folder.inside and out.is_relative_to(where):
            raise OutDirRefused(out_dir, f"is inside {folder.name} ({display_path(where)}); put the site outside it")
    clean_leftovers(out)  # first: a site killed mid-swap is put back before it is looked at
    if os.path.lexists(out) and not out.is_dir():
        raise OutDirRefused(out_dir, "is not a folder; choose a folder for the site")
    above = next((p for p in out.parents if os.path.lexists(p)), None)
    if above is not None and not above.is_dir():
        raise OutDirRefused(above, "is a file where a folder should be")
    if out.is_dir() and not replace_any and not is_site(out) and not _empty(out):
        raise OutDirRefused(out_dir, f"holds files that build.py did not write (no {MARKER} file); choose an empty or "
                                     "new folder, or pass --replace-out to delete them")
    return out


def _empty(folder: Path) -> bool:
    """Whether a folder holds nothing at all."""
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def is_site(folder: Path) -> bool:
    """Whether folder carries the marker file of a site this builder wrote."""
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def clean_leftovers(out_dir: Path) -> None:
    """Remove the staging folders of killed builds beside out_dir; put back a last good site killed mid-swap."""
    try:
        entries = sorted(out_dir.parent.iterdir())
    except OSError:  # no parent yet, or one we may not list: nothing of ours can be there
        return
    for entry in entries:
        left = _leftover(entry.name, out_dir.name)
        if left is None or not entry.is_dir() or entry.is_symlink() or (left[1] is not None and _alive(left[1])):
            continue
        if left[0] == "old" and not os.path.lexists(out_dir) and is_site(entry):
            os.replace(entry, out_dir)  # killed between moving the old site away and the new one in
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _leftover(name: str, site: str) -> tuple[str, int | None] | None:
    """('new' or 'old', the building process's id if known) for a staging folder's name, else None.

    `.site.new-PID-XXXX` and `.site.old-PID`; `.site.new-XXXX` (no id) from builds before ids were added.
    """
    for kind in ("new", "old"):
        prefix = f".{site}.{kind}-"
        if name.startswith(prefix) and len(name) > len(prefix):
            head, dash, _ = name[len(prefix):].partition("-")
            return kind, int(head) if head.isdigit() and (dash or kind == "old") else None
    return None


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (its staging folder may still be in use)."""
    if pid == os.getpid():
        return False  # our own leftover from an earlier build in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Staging:
    """A fresh folder beside out_dir that receives the new site, and replaces out_dir only when all went well.

    Use it as a context: on leaving, a folder that was not committed is removed, so a failed build
    leaves out_dir as it was.
    """

    def __init__(self, out_dir: Path, project: Sequence[Protected] = (), replace_any: bool = False) -> None:
        self.out_dir = guard_out_dir(out_dir, project, replace_any)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        # the process id in the name tells a later build whether this folder may still be in use
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-{os.getpid()}-", dir=self.out_dir.parent))
        marker = marker_file()
        (self.root / marker.path).write_bytes(marker.data)
        self.written: set[str] = {marker.path}  # paths already in root (written ahead, by any process)
        self.previous = self.out_dir if self.out_dir.is_dir() else None  # unchanged files are linked from it

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def write_ahead(self, files: list[OutputFile]) -> None:
        """Write files now, from any process; commit() checks every path again before the site is used.

        A path that would leave the site is not written here: commit() reports it.
        """
        _write_fresh([f for f in files if not leaves_site(f.path)], self.root, self.previous)
        self.written.update(f.path for f in files)

    def commit(self, files: list[OutputFile]) -> None:
        """Check every file, write those not written ahead, and swap the folder in for out_dir."""
        check_outputs(files)
        _write_fresh([f for f in files if f.path not in self.written], self.root, self.previous)
        os.chmod(self.root, 0o755)
        old = None
        if self.out_dir.exists():
            old = self.out_dir.with_name(f".{self.out_dir.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.out_dir, old)
        os.replace(self.root, self.out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


@dataclass
class Published:
    """What a watch session last wrote into its output folder, so a rebuild writes only what changed."""

    files: dict[str, bytes] | None = None  # site path -> the bytes last written there (None: not yet)
    written: list[str] = field(default_factory=list)  # by the last sync
    deleted: list[str] = field(default_factory=list)

    def sync(self, files: list[OutputFile], out_dir: Path) -> None:
        """Make out_dir hold exactly these files, writing only those whose bytes changed."""
        check_outputs(files)
        root = out_dir.resolve()
        root.mkdir(parents=True, exist_ok=True)
        self.written, self.deleted = [], []
        for f in sorted(files, key=lambda f: f.path):
            if not self._holds(root, f):
                _write_atomically(destination(root, f.path), f.data)
                self.written.append(f.path)
        before = set(self.files) if self.files is not None else _on_disk(root)
        for path in sorted(before - {f.path for f in files}):
            target_path = destination(root, path)
            if target_path.is_file() or target_path.is_symlink():
                target_path.unlink()
            _remove_empty_parents(target_path.parent, root)
            self.deleted.append(path)
        self.files = {f.path: f.data for f in files}

    def _holds(self, root: Path, f: OutputFile) -> bool:
        """Whether out_dir holds f already: as this session wrote it, or before its first write, on disk."""
        target = os.path.join(root, f.path)
        if self.files is None:
            return _holds(target, f.data)
        last = self.files.get(f.path)
        return (last is f.data or last == f.data) and os.path.isfile(target)


def _on_disk(root: Path) -> set[str]:
    """The site paths of the files already in the output folder (from an earlier session)."""
    return {(Path(folder) / name).relative_to(root).as_posix() for folder, _dirs, names in os.walk(root) for name in names}


def _write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file so a reader never sees half a page."""
    if target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders left empty by a deletion, up to (not including) the output root."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
