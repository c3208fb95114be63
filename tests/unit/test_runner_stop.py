"""The rule that decides whether a running turn may stop at a node boundary (graph.runner)."""

from __future__ import annotations

import pytest

from graph.runner import WRITERS, Stop, TurnStopped, _stop_here


def test_stops_only_when_asked_and_before_any_node_that_commits_rows() -> None:
    _stop_here(None, {"context_restore"})  # nobody asks: nothing happens
    stop = Stop()
    _stop_here(stop, {"context_restore"})
    assert not stop.stopped
    stop.asked.set()
    with pytest.raises(TurnStopped):
        _stop_here(stop, {"context_restore", "global_router"})
    assert stop.stopped and not stop.too_late


@pytest.mark.parametrize("node", sorted(WRITERS))
def test_a_turn_that_committed_rows_goes_on_to_its_end(node: str) -> None:
    stop = Stop()
    stop.asked.set()
    _stop_here(stop, {"context_restore", node})  # does not raise
    assert stop.too_late and not stop.stopped
    _stop_here(stop, {"context_restore", node, "finalize"})
    assert not stop.stopped
