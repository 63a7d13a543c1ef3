#!/usr/bin/env python3
"""Command line: build, check, import, suggest programmes, watch and serve the archive."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from archive import commands
from archive.build import BuildOptions
from archive.errors import display_path
from archive.output import MARKER, OutDirRefused


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line, with the build options shared by every command."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the archive of county reports into a static site (default), or run one of the commands below.",
    )
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    parser.add_argument("--layouts", type=Path, default=Path("layouts"), help="layouts folder (default: layouts)")
    parser.add_argument("--config", type=Path, default=Path("config.yml"), help="site config file (default: config.yml)")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    parser.add_argument("--replace-out", action="store_true",
                        help=f"replace an --out folder that holds files build.py did not write (no {MARKER}): "
                             "they are deleted; never the project, content, layouts or home folder")
    parser.add_argument("--base-url", help="absolute URL of the site, used only in the feed and sitemap")
    parser.add_argument("--drafts", action="store_true", help="include reports marked draft: true")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="processes for a full build (default: one per CPU for 50 reports or more; 1 = serial)")
    parser.add_argument("--watch", action="store_true", help="build, then rebuild on every change")
    parser.add_argument("--serve", action="store_true", help="build, watch and serve with live reload on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default: 8000)")
    parser.add_argument("--bind", default="127.0.0.1", help="address for --serve (default: 127.0.0.1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("check", help="validate all content and print every problem as path:line: message")
    imp = sub.add_parser("import", help="draft report pages from raw source text files")
    imp.add_argument("files", nargs="+", type=Path, help="raw .txt files (UTF-8, GB18030/GBK or UTF-16)")
    imp.add_argument("--force", action="store_true", help="overwrite an existing page")
    prog = sub.add_parser("programmes", help="work with the programme registry")
    prog.add_argument("--suggest", action="store_true", help="print candidate programmes not yet in the registry")
    prog.add_argument("--limit", type=int, default=40, help="how many candidates to print (default: 40)")
    sub.add_parser("index-stats", help="print the search index's size, in all and per report")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> BuildOptions:
    """BuildOptions from parsed arguments."""
    return BuildOptions(
        content_dir=args.content,
        layouts_dir=args.layouts,
        config_file=args.config,
        out_dir=args.out,
        base_url=args.base_url,
        drafts=args.drafts,
        jobs=args.jobs,
        replace_out=args.replace_out,
    )


def os_error_line(exc: OSError) -> str:
    """An error of the system as one line: `path: message`."""
    where = exc.filename if exc.filename is not None else exc.filename2
    message = exc.strerror or str(exc)
    if where is None:
        return f"build.py: {message}"
    return f"{display_path(os.fsdecode(where) if isinstance(where, bytes) else str(where))}: {message}"


def main(argv: list[str] | None = None) -> int:
    """Run the command the user asked for; a refused --out or an error of the system is one line and exit 1."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run_command(args, options_from(args))
    except OutDirRefused as exc:
        print(exc, file=sys.stderr)
    except OSError as exc:
        print(os_error_line(exc), file=sys.stderr)
    return 1


def run_command(args: argparse.Namespace, options: BuildOptions) -> int:
    """The command the user asked for."""
    if args.command == "check":
        return commands.cmd_check(options)
    if args.command == "import":
        return commands.cmd_import(args.files, options, force=args.force)
    if args.command == "programmes":
        return commands.cmd_suggest(options, limit=args.limit)
    if args.command == "index-stats":
        return commands.cmd_index_stats(options)
    if args.serve or args.watch:
        return commands.cmd_watch(options, serve=args.serve, host=args.bind, port=args.port)
    return commands.cmd_build(options)


def exit_now(status: int) -> None:
    """Leave without freeing a big site's objects one by one (0.2-0.5 s at 1,000 reports): the system drops them at once."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    exit_now(main())
