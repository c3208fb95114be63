"""The knowledge base's data at its edges: documents in, hits and answers out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Retrieval = Literal["hybrid", "vector", "keyword"]
DOC_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class KbDocument(BaseModel):
    """One article as written: upserted by `doc_id`."""

    model_config = ConfigDict(str_strip_whitespace=True)

    doc_id: str = Field(pattern=DOC_ID_PATTERN, description="Stable id, e.g. `vpn-setup-en`.")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000, description="Markdown text.")
    lang: str = Field(default="zh", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=30)


class KbHit(BaseModel):
    """One matching article: its best passage and how it was found."""

    doc_id: str
    title: str
    snippet: str = Field(description="A short line of the passage, for citations.")
    score: float = Field(description="Fused relevance with the title/heading gain, about 0..1.6; "
                                     "higher is better.")
    text: str = Field(description="The whole best passage (heading and body), for answers.")
    lang: str
    retrieval: Retrieval = Field(description="Which side found it: both, vector or keyword.")


class KbAnswer(BaseModel):
    """An extractive answer with its citations, or found=False and an offer to open a ticket."""

    found: bool
    reply: str
    citations: list[dict[str, str]] = Field(default_factory=list)
    hits: list[KbHit] = Field(default_factory=list)
    retrieval: str = Field(description="How the best hit was found (hybrid/vector/keyword).")


class KbIngestError(ValueError):
    """A markdown file could not be ingested; the message names the file and the field."""

    def __init__(self, message: str, *, path: Path | None = None, field: str | None = None):
        super().__init__(message)
        self.path = path
        self.field = field
