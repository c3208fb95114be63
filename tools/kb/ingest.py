"""Read markdown articles with YAML front matter into validated `KbDocument`s (all or none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tools.kb.models import KbDocument, KbIngestError

ARTICLES_DIR = Path(__file__).parent / "articles"
FRONT_MATTER_FIELDS = ("doc_id", "title", "lang", "tags")


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise KbIngestError(f"{path}: no front matter (the file must start with '---')", path=path)
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise KbIngestError(f"{path}: front matter is not closed by '---'", path=path) from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise KbIngestError(f"{path}: front matter is not valid YAML: {exc}", path=path) from exc
    if not isinstance(meta, dict):
        raise KbIngestError(f"{path}: front matter must be a mapping of fields", path=path)
    return meta, "\n".join(lines[end + 1 :])


def _check_fields(path: Path, meta: dict[str, Any]) -> None:
    for name in meta:
        if name not in FRONT_MATTER_FIELDS:
            raise KbIngestError(
                f"{path}: unknown front matter field {name!r} (allowed: "
                f"{', '.join(FRONT_MATTER_FIELDS)})", path=path, field=str(name))
    for name in ("doc_id", "title"):
        if not meta.get(name):
            raise KbIngestError(f"{path}: front matter field {name!r} is missing", path=path,
                                field=name)


def parse_article(path: Path) -> KbDocument:
    """One markdown file → a document; any problem → `KbIngestError` naming file and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KbIngestError(f"{path}: cannot read the file: {exc}", path=path) from exc
    meta, body = _split_front_matter(path, text)
    _check_fields(path, meta)
    try:
        return KbDocument(body=body, **{k: _plain(v) for k, v in meta.items()})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        raise KbIngestError(f"{path}: field {field!r}: {err['msg']}", path=path,
                            field=field) from exc


def _plain(value: Any) -> Any:
    # YAML reads `doc_id: 2024` or `title: 404` as numbers: they are meant as text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def markdown_files(paths: list[Path]) -> list[Path]:
    """The `.md` files named, or found (recursively, sorted) under the directories named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise KbIngestError(f"{path}: no such file or directory", path=path)
    return files


def load_articles(paths: list[Path]) -> list[KbDocument]:
    """Parse every file first, so one bad file rejects the whole batch before any write."""
    docs: dict[str, tuple[Path, KbDocument]] = {}
    for file in markdown_files(paths):
        doc = parse_article(file)
        if doc.doc_id in docs:
            raise KbIngestError(f"{file}: doc_id {doc.doc_id!r} is also used by "
                                f"{docs[doc.doc_id][0]}", path=file, field="doc_id")
        docs[doc.doc_id] = (file, doc)
    return [doc for _, doc in docs.values()]
