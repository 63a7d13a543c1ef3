"""The site configuration: one small YAML file, every key checked."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from .errors import Problems


@dataclass(frozen=True)
class Config:
    """Site-wide settings from config.yml."""

    title: str = "县域平安建设报道档案"
    description: str = ""
    language: str = "zh-CN"
    base_url: str = "https://example.org/"


def load_config(path: Path, problems: Problems) -> Config:
    """Read config.yml; a missing file gives the defaults, a bad key is reported."""
    if not path.exists():
        return Config()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.error(path, mark.line + 1 if mark else 1, f"invalid YAML: {exc}")
        return Config()
    except UnicodeDecodeError:
        problems.error(path, 1, "not UTF-8")
        return Config()
    if not isinstance(raw, dict):
        problems.error(path, 1, "config must be a mapping of keys to values")
        return Config()
    known = {f.name for f in fields(Config)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            problems.error(path, _line_of(path, key), f"unknown config key {key!r} (known: {', '.join(sorted(known))})")
        elif not isinstance(value, str):
            problems.error(path, _line_of(path, key), f"{key} must be text")
        else:
            values[key] = value
    config = Config(**values)
    if not config.base_url.endswith("/"):
        config = Config(**{**values, "base_url": config.base_url + "/"})
    return config


def _line_of(path: Path, key: str) -> int:
    """The line on which a top-level key is written, for error messages."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return 1
