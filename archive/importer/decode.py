"""Raw bytes to text: byte-order marks, UTF-8, GB18030 and, for web pages, the declared or detected charset."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import display_path

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
SUPPORTED = "plain text (.txt) or a saved web page (.html, .htm, .shtml, .xhtml)"


class ImportProblem(Exception):
    """A source that cannot be imported, with the place to look: path:line: message."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{display_path(path)}:{line}: {message}")


@dataclass(frozen=True)
class Decoded:
    """A source's text with how it was stored."""

    text: str  # with '\n' line endings and no BOM
    encoding: str
    newline: str  # 'LF', 'CRLF', 'CR', 'mixed' or 'none'


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with BOM"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 BE"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
]
# Control characters a text file may hold; any other C0 control (or NUL) marks a binary file.
_TEXT_CONTROLS = set("\t\n\r\f\v\x1a")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Pages that declare GB2312 or GBK are routinely written with characters only GB18030 (their superset) has.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030", "iso-8859-1": "cp1252"}


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def _from_bom(data: bytes, path: Path) -> tuple[str, str] | None:
    """Text and encoding name when the data starts with a byte-order mark."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                raise ImportProblem(path, 1, f"starts with a {name} byte-order mark but is not {name}: "
                                    f"{exc.reason} at byte {exc.start + len(bom)}") from None
    return None


def _guess(data: bytes, path: Path) -> tuple[str, str]:
    """Text without a BOM: strict UTF-8, then strict GB18030; NUL bytes mark a binary file."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportProblem(path, _line_at(data, nul), f"binary file (NUL byte at offset {nul}), not a text report; "
                            "a UTF-16 text needs its byte-order mark")
    bad_at = 0
    for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError as exc:
            bad_at = max(bad_at, exc.start)
    raise ImportProblem(path, _line_at(data, bad_at),
                        f"binary file or unknown encoding: byte 0x{data[bad_at]:02x} at offset {bad_at} is neither UTF-8 "
                        "nor GB18030/GBK (and there is no UTF-16 byte-order mark); save it as UTF-8")


def _declared(data: bytes, path: Path) -> tuple[str, str] | None:
    """Text decoded with the charset a page's <meta> declares; an unknown or wrong charset is an error."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    label = m.group(1).decode("ascii", "replace").lower()
    line = _line_at(data, m.start())
    try:
        codec = codecs.lookup(_SUPERSETS.get(label, label)).name
    except LookupError:
        raise ImportProblem(path, line, f"unknown encoding {label!r} declared in <meta charset>; "
                            "save the page as UTF-8 or GB18030") from None
    try:
        return data.decode(codec), f"{label.upper()} (declared)"
    except UnicodeDecodeError as exc:
        raise ImportProblem(path, _line_at(data, exc.start), f"the page declares {label!r} but byte 0x{data[exc.start]:02x} "
                            f"at offset {exc.start} is not {label}: save it again in its real encoding") from None


def decode(data: bytes, path: Path, html: bool = False) -> Decoded:
    """Decode a raw source; refuse empty and binary files. A web page's declared charset is honoured."""
    if not data.strip():
        raise ImportProblem(path, 1, "empty file: nothing to import")
    found = _from_bom(data, path) or (_declared(data, path) if html else None) or _guess(data, path)
    text, encoding = found
    if not text.strip():
        raise ImportProblem(path, 1, "empty file: nothing to import")
    _refuse_binary(text, path)
    newline = _newline_style(text)
    return Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), encoding, newline)


def _refuse_binary(text: str, path: Path) -> None:
    """Text that decodes but is mostly control or private-use characters is a binary file, not a report."""
    odd = [i for i, ch in enumerate(text)
           if (ord(ch) < 32 and ch not in _TEXT_CONTROLS) or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd"]
    if odd and len(odd) * 20 > len(text):
        raise ImportProblem(path, text.count("\n", 0, odd[0]) + 1,
                            f"binary file ({len(odd)} control or private-use characters), not a text report")
    # GB18030 decodes almost any bytes: a text with no CJK and many rare symbols was not really GB18030.
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    rare = sum(1 for ch in text if ord(ch) > 0x7F and not (
        "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f"))
    if rare > cjk and rare * 10 > len(text):
        raise ImportProblem(path, 1, "binary or unknown encoding: the bytes decode to mostly rare symbols, not Chinese text")


def _newline_style(text: str) -> str:
    """How the source ends its lines."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return kinds[0] if len(kinds) == 1 else "mixed" if kinds else "none"


def kind_of(path: Path) -> str:
    """'text' or 'html' by the file's suffix; any other file type is an error naming what is supported."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    raise ImportProblem(path, 1, f"cannot import a {suffix or 'suffix-less'} file: the importer reads {SUPPORTED}")
