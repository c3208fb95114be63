"""The `helpdesk` command line: serve, migrate, chat, kb ingest."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def _serve(args: argparse.Namespace) -> int:
    from server.serve import serve

    return serve(host=args.host, port=args.port, data_dir=args.data_dir, workers=args.workers)


def _migrate(args: argparse.Namespace) -> int:
    from server.serve import migrate_only

    return migrate_only()


def _chat(args: argparse.Namespace) -> int:
    from server.chat import chat, identity_headers

    headers = identity_headers(token=args.token, user=args.user, department=args.department,
                               role=args.role)
    return chat(url=args.url, thread_id=args.thread, headers=headers)


def _kb_ingest(args: argparse.Namespace) -> int:
    from server.kb_cli import ingest

    return ingest([Path(p) for p in args.paths], data_dir=args.data_dir)


def _maintenance(args: argparse.Namespace) -> int:
    from server.maintenance import maintenance

    return maintenance(data_dir=args.data_dir)


def _add_maintenance(commands: Any) -> None:
    run = commands.add_parser("maintenance", help="apply the retention policy once (README)")
    run.add_argument("--data-dir", type=Path, default=None)
    run.set_defaults(func=_maintenance)


def _add_serve(commands: Any) -> None:
    env = os.environ.get
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default=env("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(env("PORT", "8000")))
    serve.add_argument("--data-dir", type=Path, default=Path(env("HELPDESK_DATA_DIR", ".helpdesk")))
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)


def _add_migrate(commands: Any) -> None:
    migrate = commands.add_parser("migrate", help="apply database migrations (DATABASE_URL) and exit")
    migrate.set_defaults(func=_migrate)


def _add_chat(commands: Any) -> None:
    chat = commands.add_parser("chat", help="talk to a running server in the terminal")
    chat.add_argument("--url", default="http://127.0.0.1:8000")
    chat.add_argument("--thread", default=None, help="continue this thread id")
    chat.add_argument("--token", default=os.environ.get("HELPDESK_TOKEN"), help="JWT (JWT mode)")
    chat.add_argument("--user", default=None, help="dev mode: X-User-Id")
    chat.add_argument("--department", default=None, help="dev mode: X-Department")
    chat.add_argument("--role", default=None, help="dev mode: X-Role")
    chat.set_defaults(func=_chat)


def _add_kb(commands: Any) -> None:
    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(dest="kb", required=True)
    ingest = kb.add_parser("ingest", help="load markdown articles")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--data-dir", type=Path, default=None)
    ingest.set_defaults(func=_kb_ingest)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk", description="IT helpdesk agent backend")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (_add_serve, _add_migrate, _add_chat, _add_kb, _add_maintenance):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
