"""``python -m kokuho.events.catalog asyncapi [--out FILE]`` writes the AsyncAPI document;
``python -m kokuho.events.catalog schemas`` refreshes the committed contract schemas after a
compatible change (and refuses, writing nothing, after an incompatible one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kokuho.events.catalog.asyncapi import document
from kokuho.events.catalog.evolution import SCHEMAS_DIR, IncompatibleChange, write_schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kokuho.events.catalog")
    commands = parser.add_subparsers(dest="command", required=True)
    asyncapi = commands.add_parser("asyncapi", help="write the AsyncAPI 3.0 document")
    asyncapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    schemas = commands.add_parser("schemas", help="refresh the committed contract schemas")
    schemas.add_argument("--dir", type=Path, default=SCHEMAS_DIR)
    args = parser.parse_args(argv)

    if args.command == "asyncapi":
        text = json.dumps(document(), ensure_ascii=False, indent=2) + "\n"
        if args.out is None:
            sys.stdout.write(text)
        else:
            args.out.write_text(text, encoding="utf-8")
            print(f"wrote {args.out}")
        return 0
    try:
        written = write_schemas(args.dir)
    except IncompatibleChange as refused:
        print(refused, file=sys.stderr)
        return 1
    for name in written:
        print(f"wrote {args.dir / name}")
    print(f"{len(written)} schema files changed under {args.dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
