"""Run one turn in a fresh process and print its result as JSON (for cross-process tests)."""

from __future__ import annotations

import asyncio
import json
import sys

from tests.factories import actor, open_stack


async def main(url: str, user: str, payload: dict) -> None:
    async with open_stack(url) as stack:
        result = await stack.turn(actor(user_id=user), **payload)
    print(json.dumps(result.model_dump(mode="json")))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
