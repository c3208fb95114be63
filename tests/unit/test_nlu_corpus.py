"""The NLU corpus is real data: big enough, well-formed, split, with look-alikes in both parts.

The held-out checks need the fresh held-out part (tools/nlu/corpus/heldout/, written apart from
the training part); the first held-out part is training data now (train/heldout_old_*.yaml).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tools.nlu.corpus import INTENTS, Act, CorpusError, Part, _parse, examples

# Look-alike pairs the issue names: each side must be in BOTH parts.
LOOK_ALIKES = [("算了，不取消了", "算了"), ("确认一下我的工单状态", "确认"), ("no, go ahead", "no")]


def test_the_corpus_is_big_enough_and_split() -> None:
    train, heldout = examples(Part.TRAIN), examples(Part.HELDOUT)
    assert len(train) + len(heldout) >= 3000
    assert len(heldout) >= 500
    for part in (train, heldout):
        langs = Counter(e.lang for e in part)
        assert langs["zh"] >= 0.3 * len(part) and langs["en"] >= 0.3 * len(part)
        assert sum(e.mixed for e in part) >= 50  # mixed zh/en


@pytest.mark.parametrize("part", list(Part))
def test_every_intent_and_act_is_in_each_part(part: Part) -> None:
    found = {(e.intent, e.act) for e in examples(part)}
    assert {i for i, _ in found} == set(INTENTS)
    assert {a for _, a in found} == set(Act)


@pytest.mark.parametrize("pair", LOOK_ALIKES)
def test_look_alike_pairs_are_in_both_parts(pair: tuple[str, str]) -> None:
    for part in Part:
        texts = {e.text for e in examples(part)}
        assert set(pair) <= texts, (part, pair)


def test_held_out_phrasings_are_not_the_training_ones() -> None:
    train = {e.text.lower() for e in examples(Part.TRAIN)}
    shared = [e.text for e in examples(Part.HELDOUT) if e.text.lower() in train]
    looks = {t for pair in LOOK_ALIKES for t in pair}
    # only closed-class answers ("yes", "算了", "保留") and the look-alike pairs are in both
    assert all(len(t) <= 12 or t in looks for t in shared), shared
    assert len(shared) <= 0.1 * len(examples(Part.HELDOUT))


def test_one_text_in_one_context_has_one_label() -> None:
    for part in Part:
        labels: dict[tuple[str, str], set[tuple[str, Act]]] = {}
        for e in examples(part):
            labels.setdefault((e.text.lower(), e.ctx), set()).add((e.intent, e.act))
        assert not {k: v for k, v in labels.items() if len(v) > 1}


def test_slots_are_parsed_and_checked() -> None:
    groups = [{"intent": "create_ticket", "act": "new_request", "texts": ["VPN down || category=network priority=P1"]}]
    (example,) = _parse(groups, "t.yaml")
    assert (example.text, example.slots) == ("VPN down", {"category": "network", "priority": "P1"})
    with pytest.raises(CorpusError, match="bad slots"):
        _parse([{**groups[0], "texts": ["x || category"]}], "t.yaml")
    with pytest.raises(CorpusError, match="unknown intent"):
        _parse([{**groups[0], "intent": "delete_everything"}], "t.yaml")
    with pytest.raises(CorpusError, match="non-empty string"):
        _parse([{**groups[0], "texts": [True]}], "t.yaml")  # an unquoted yes in YAML


@pytest.mark.parametrize("part", list(Part))
def test_every_waiting_action_is_a_registry_tool(part: Part) -> None:
    """A pending context names a real ticket tool (a writer's "comment_ticket" is add_comment), so
    the planner reads the answer against that tool's own words."""
    from tools.registry import TICKET_TOOLS

    waiting = {e.pending_tool for e in examples(part) if e.pending_tool}
    assert waiting and waiting <= set(TICKET_TOOLS), waiting - set(TICKET_TOOLS)
    if part is Part.TRAIN:
        assert "add_comment" in waiting
