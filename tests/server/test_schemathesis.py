"""A bounded schemathesis run against a live `helpdesk serve`: no 5xx, no off-schema response."""

import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.internal.conjecture import utils as cu
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.live import data_dir, serving


def _old_style_more(self: cu.many) -> bool:
    """`many.more()` as hypothesis < 6.16x had it, on top of the new iteration protocol."""
    if self._depth is None:
        self._depth = self.data.depth
    self._finish_element()
    if not self._decide():
        return False
    self.count += 1
    self._in_element, self._rejected = True, False
    return True


# hypothesis-jsonschema 0.23.1 (what schemathesis 4.15 generates bodies and headers with) still
# calls `many.more()`, which newer hypothesis removed. Drop this once the test extra pins a
# schemathesis that no longer uses hypothesis-jsonschema (4.3x) or a hypothesis that has it.
if not hasattr(cu.many, "more"):
    cu.many.more = _old_style_more  # type: ignore[attr-defined]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
MAX_EXAMPLES = 20  # x 16 operations: a few hundred cases
SEEN: dict[int, int] = {}
IDENTITIES = [
    {"X-User-Id": "fuzz-requester", "X-Role": "requester", "X-Department": "IT"},
    {"X-User-Id": "fuzz-admin", "X-Role": "admin", "X-Department": "IT"},
]


@pytest.fixture(scope="module")
def live_url(db_url: str) -> Iterator[str]:
    data = data_dir()
    with serving(data=data, database_url=db_url) as (url, _):
        yield url
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def live_schema(live_url: str) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json")


def _fuzz(operation: schemathesis.schemas.APIOperation, identity: dict[str, str]) -> None:
    # schemathesis' pytest plugin does not run on pytest 9 yet: drive hypothesis directly
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=identity, checks=CHECKS, timeout=30)
        SEEN[response.status_code] = SEEN.get(response.status_code, 0) + 1

    run()


def test_api_conforms(live_schema: schemathesis.schemas.BaseSchema) -> None:
    failures, operations = [], 0
    for i, result in enumerate(live_schema.get_all_operations()):
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, IDENTITIES[i % len(IDENTITIES)])
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 16
    assert not failures, "\n\n".join(failures)
    assert sum(SEEN.values()) >= 200 and SEEN.get(200, 0) >= 50, SEEN
