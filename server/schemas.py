"""Request models of the HTTP contract (API.md): is this data well-formed."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from tools.db.ids import DRAFT_ID, TICKET_ID
from tools.limits import MESSAGE_MAX
from tools.settings import Mode

THREAD_ID = r"^[A-Za-z0-9_.:-]{1,128}$"
ACTION_ID = r"^[A-Za-z0-9_.:-]{1,128}$"
TOKEN = r"^[A-Za-z0-9_.~-]{1,256}$"


def _no_nul(value: str) -> str:
    """Text Postgres can store: no NUL, no lone UTF-16 surrogate (JSON's "\\ud800")."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
ActionId = Field(default=None, pattern=ACTION_ID, description="idempotency key (per user)")


class AgentRequest(BaseModel):
    """One turn: a message (or a confirm_token) on a new or existing thread."""

    message: Text | None = Field(default=None, min_length=1, max_length=MESSAGE_MAX,
                                description="what the person said; required unless confirm_token")
    thread_id: str | None = Field(default=None, pattern=THREAD_ID,
                                  description="existing or new thread id; omitted = new thread")
    mode: Mode | None = Field(default=None, description="rules | llm | hybrid (server default)")
    action_id: str | None = ActionId
    confirm_token: str | None = Field(default=None, pattern=TOKEN,
                                      description="confirms the thread's pending action")
    ticket_id: str | None = Field(default=None, pattern=TICKET_ID, description="TCK-YYYY-XXXXXX")
    draft_id: str | None = Field(default=None, pattern=DRAFT_ID, description="DRF-YYYY-XXXXXX")

    @model_validator(mode="after")
    def _message_or_token(self) -> AgentRequest:
        if self.message is not None and not self.message.strip():
            raise ValueError("message must not be blank")
        if self.message is None and self.confirm_token is None:
            raise ValueError("message is required unless confirm_token is given")
        return self


class ResumeRequest(BaseModel):
    """A decision on the thread's pending action."""

    decision: Literal["confirm", "cancel"]
    confirm_token: str | None = Field(default=None, pattern=TOKEN,
                                      description="required to confirm")
    action_id: str | None = ActionId

    @model_validator(mode="after")
    def _token_to_confirm(self) -> ResumeRequest:
        if self.decision == "confirm" and self.confirm_token is None:
            raise ValueError("confirm_token is required to confirm")
        return self


class KbDocumentIn(BaseModel):
    """A markdown article to create or replace in the knowledge base."""

    doc_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=100_000, description="markdown text")
    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    tags: list[Annotated[Text, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=30)
    action_id: str | None = ActionId
