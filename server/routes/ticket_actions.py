"""Acting on a ticket over HTTP (the agent console): comment, status changes, confirmed escalation.

Every route runs a registry tool through `tools.handlers.actions`, the checks, state machines and
audit of the chat path; `action_id` makes each write idempotent; a tool that needs confirmation
answers NEED_CONFIRMATION with a pending action that `POST /tickets/{id}/confirm` consumes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from server.action_schemas import CommentIn, DecisionIn, ReasonIn, TicketActionResult
from server.deps import CurrentActor, RuntimeDep, TraceId
from server.idempotent import key_for, run_once
from server.openapi import WRITE, errors
from server.runtime import Runtime
from tools.db.engine import Conn
from tools.db.ids import TICKET_ID
from tools.domain import Actor
from tools.errors import Forbidden, NotFound
from tools.handlers.actions import ActionOutcome, Stamp, act, decide
from tools.registry import TICKET_TOOLS
from tools.replies import Lang, reason_text

router = APIRouter(prefix="/tickets", tags=["ticket actions"])
TicketId = Annotated[str, Path(pattern=TICKET_ID, description="TCK-YYYY-XXXXXX")]
RESPONSES = errors(*WRITE, 403, 404)
# verb in the URL -> the registry tool it runs (their guards and confirmation come from there)
STATUS_VERBS = {"resolve": "resolve_ticket", "reopen": "reopen_ticket",
                "escalate": "escalate_ticket", "cancel": "cancel_ticket", "close": "close_ticket"}


def lang_of(request: Request) -> Lang:
    """The reply language the caller's browser prefers (zh or en)."""
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def _result(out: ActionOutcome, trace_id: str, lang: Lang) -> TicketActionResult:
    """An outcome as the response; an invisible ticket is 404 and a refused role 403, as on GET."""
    if out.reason == "TICKET_NOT_FOUND":
        raise NotFound("ticket not found")
    if out.reason == "FORBIDDEN":
        raise Forbidden(f"{out.tool}: {reason_text('FORBIDDEN', lang)}")
    return TicketActionResult(trace_id=trace_id, **out.model_dump())


Work = Callable[[Conn, Stamp], Awaitable[ActionOutcome]]


async def _perform(runtime: Runtime, actor: Actor, trace_id: str, lang: Lang,
                   work: Work) -> TicketActionResult:
    stamp = Stamp(actor, trace_id, runtime.services.version_set, lang)
    async with runtime.db.transaction() as conn:  # the audit row commits even when refused
        out = await work(conn, stamp)
    return _result(out, trace_id, lang)


async def _tool(runtime: Runtime, actor: Actor, trace_id: str, lang: Lang, tool_name: str,
                args: dict[str, Any]) -> TicketActionResult:
    async def work(conn: Conn, stamp: Stamp) -> ActionOutcome:
        return await act(conn, tool=TICKET_TOOLS[tool_name], args=args, stamp=stamp,
                         ttl_s=runtime.settings.pending_ttl_s)

    return await _perform(runtime, actor, trace_id, lang, work)


@router.post("/{ticket_id}/comments", response_model=TicketActionResult, responses=RESPONSES)
async def add_comment(ticket_id: TicketId, body: CommentIn, request: Request,
                      actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Any:
    """Add a comment (the add_comment tool: open, in-progress or resolved tickets)."""
    key = key_for(runtime, actor, "ticket:comment", body, ticket=ticket_id)
    args = {"ticket_id": ticket_id, "comment": body.comment}
    return await run_once(key, trace_id, lambda: _tool(runtime, actor, trace_id,
                                                      lang_of(request), "add_comment", args))


def _status_route(verb: str, tool_name: str) -> None:
    tool = TICKET_TOOLS[tool_name]

    async def change(ticket_id: TicketId, body: ReasonIn, request: Request,
                     actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Any:
        key = key_for(runtime, actor, f"ticket:{verb}", body, ticket=ticket_id)
        args = {"ticket_id": ticket_id, **({"reason": body.reason} if body.reason else {})}
        return await run_once(key, trace_id, lambda: _tool(runtime, actor, trace_id,
                                                          lang_of(request), tool_name, args))

    change.__doc__ = tool.description + (
        " Answers NEED_CONFIRMATION with a pending action; POST /tickets/{ticket_id}/confirm "
        "carries it out." if tool.needs_confirmation else "")
    router.add_api_route(f"/{{ticket_id}}/{verb}", change, methods=["POST"], name=f"{verb}_ticket",
                         response_model=TicketActionResult, responses=RESPONSES)


for _verb, _tool_name in STATUS_VERBS.items():
    _status_route(_verb, _tool_name)


@router.post("/{ticket_id}/confirm", response_model=TicketActionResult, responses=RESPONSES)
async def confirm_action(ticket_id: TicketId, body: DecisionIn, request: Request,
                         actor: CurrentActor, runtime: RuntimeDep, trace_id: TraceId) -> Any:
    """Confirm (with its token) or cancel a pending action this caller created on the ticket.

    Consumed at most once: a replayed confirm returns the first outcome and runs nothing.
    """
    key = key_for(runtime, actor, "ticket:confirm", body, ticket=ticket_id)

    async def work(conn: Conn, stamp: Stamp) -> ActionOutcome:
        return await decide(conn, action_id=body.pending_action_id, ticket_id=ticket_id,
                            token=body.confirm_token, confirm=body.decision == "confirm",
                            stamp=stamp)

    return await run_once(key, trace_id, lambda: _perform(runtime, actor, trace_id,
                                                          lang_of(request), work))
