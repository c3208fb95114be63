"""Split a markdown article into passages at its headings (long sections at paragraphs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHUNK_CHARS = 1200
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    """One passage of a document, in reading order."""

    ord: int
    heading: str
    body: str

    def text(self, title: str) -> str:
        """What gets indexed and shown: the article title and the heading give context."""
        head = title if self.heading in ("", title) else f"{title} — {self.heading}"
        return f"{head}\n{self.body}"


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(2), []))
        else:
            sections[-1][1].append(line)
    return sections


def _split_long(body: str) -> list[str]:
    if len(body) <= MAX_CHUNK_CHARS:
        return [body]
    parts: list[str] = []
    for para in re.split(r"\n\s*\n", body):
        if parts and len(parts[-1]) + len(para) + 2 <= MAX_CHUNK_CHARS:
            parts[-1] = f"{parts[-1]}\n\n{para}"
        else:
            parts.extend(para[i : i + MAX_CHUNK_CHARS] for i in range(0, len(para), MAX_CHUNK_CHARS))
    return parts


def chunk_markdown(markdown: str) -> list[Chunk]:
    """Passages of `markdown`, one per heading section; empty sections are dropped."""
    chunks: list[Chunk] = []
    for heading, lines in _sections(markdown):
        body = "\n".join(lines).strip()
        for part in _split_long(body) if body else []:
            chunks.append(Chunk(len(chunks), heading, part.strip()))
    return chunks
