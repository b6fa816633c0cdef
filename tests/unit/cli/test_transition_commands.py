from __future__ import annotations

import pytest

from careloop.cli.complaints import NOT_IN_THE_SHELL, STAGE_COMMANDS
from careloop.cli.transition_commands import CommandSpec, add_transition_commands, uncovered
from careloop.cli.work_orders import WORK_ORDER_COMMANDS
from careloop.domain.lifecycle import tickets


def test_every_complaint_transition_has_a_command_or_a_reason_not_to() -> None:
    assert uncovered(tickets.TRANSITIONS, STAGE_COMMANDS, NOT_IN_THE_SHELL) == set()


def test_every_work_order_transition_has_a_command() -> None:
    assert uncovered(tickets.WORK_ORDER_TRANSITIONS, WORK_ORDER_COMMANDS, {}) == set()


def test_a_command_for_a_transition_the_table_lacks_is_refused() -> None:
    import typer

    stray = CommandSpec("escalate", "Not a transition.", lambda *args: None)
    with pytest.raises(ValueError, match="escalate"):
        add_transition_commands(typer.Typer(), tickets.TRANSITIONS, [stray], "complaint_id", dict)


def test_the_callback_command_fires_both_callback_transitions() -> None:
    callback = next(spec for spec in STAGE_COMMANDS if spec.command == "callback")
    assert set(callback.fires()) == {"callback_satisfied", "reopen"}
