"""Hypothesis drives random sequences of grant / hold / capture / release / refund / adjust
and checks the money invariants after every step."""

import itertools

import pytest
from django.db import transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from apps.accounts.models import Workspace
from apps.billing import services
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.billing.verification import account_drift
from apps.core.errors import ApplicationError

credits = st.integers(min_value=1, max_value=300)
_keys = itertools.count()


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    settled = Bundle("settled")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a transaction that teardown rolls back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.workspace = Workspace.objects.get(name="stateful")
        self.balance = CreditAccount.objects.get(workspace=self.workspace).balance
        self.open: dict[int, int] = {}  # hold pk -> credits
        self.settled_once: dict[int, str] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def key(self) -> str:
        return f"k{next(_keys)}"

    @property
    def expected_available(self) -> int:
        return self.balance - sum(self.open.values())

    @rule(amount=credits)
    def grant(self, amount: int) -> None:
        services.credits_grant(workspace=self.workspace, credits=amount, idempotency_key=self.key())
        self.balance += amount

    @rule(amount=credits)
    def grant_twice_with_one_key(self, amount: int) -> None:
        key = self.key()
        for _ in range(2):
            services.credits_grant(workspace=self.workspace, credits=amount, idempotency_key=key)
        self.balance += amount

    @rule(target=holds, amount=credits)
    def hold(self, amount: int):
        try:
            hold = services.credits_hold(workspace=self.workspace, credits=amount)
        except ApplicationError as exc:
            assert exc.code == "INSUFFICIENT_CREDITS"
            assert amount > self.expected_available
            assert exc.details["shortfall"] == amount - self.expected_available
            return multiple()
        assert amount <= self.expected_available
        self.open[hold.pk] = amount
        return hold

    @rule(target=settled, hold=consumes(holds), data=st.data())
    def capture(self, hold: CreditHold, data: st.DataObject):
        amount = data.draw(st.integers(min_value=0, max_value=self.open[hold.pk]))
        result = services.credits_capture(hold=hold, credits=amount)
        assert result.state == CreditHold.State.CAPTURED
        self.balance -= amount
        del self.open[hold.pk]
        self.settled_once[hold.pk] = "captured"
        return result

    @rule(target=settled, hold=consumes(holds))
    def release(self, hold: CreditHold):
        result = services.credits_release(hold=hold)
        assert result.state == CreditHold.State.RELEASED
        del self.open[hold.pk]
        self.settled_once[hold.pk] = "released"
        return result

    @rule(hold=settled, capture=st.booleans())
    def settle_again_is_a_no_op(self, hold: CreditHold, capture: bool) -> None:
        action = services.credits_capture if capture else services.credits_release
        assert action(hold=hold).state == self.settled_once[hold.pk]

    @rule(hold=settled, data=st.data())
    def refund(self, hold: CreditHold, data: st.DataObject) -> None:
        hold.refresh_from_db()
        refunded = sum(
            LedgerEntry.objects.filter(hold=hold, kind="refund").values_list("credits", flat=True)
        )
        left = hold.captured_credits - refunded
        if left <= 0:
            return
        amount = data.draw(st.integers(min_value=1, max_value=left))
        services.credits_refund(
            workspace=self.workspace, credits=amount, idempotency_key=self.key(), hold=hold
        )
        self.balance += amount

    @rule(amount=st.integers(min_value=-300, max_value=300).filter(bool))
    def adjust(self, amount: int) -> None:
        try:
            services.credits_adjust(
                workspace=self.workspace, credits=amount, reason="test", idempotency_key=self.key()
            )
        except ApplicationError as exc:
            assert exc.code == "INSUFFICIENT_CREDITS"
            assert self.expected_available + amount < 0
            return
        self.balance += amount

    @invariant()
    def available_never_below_zero(self) -> None:
        acct = CreditAccount.objects.get(workspace=self.workspace)
        assert acct.balance - acct.held >= 0
        assert acct.available == self.expected_available

    @invariant()
    def each_hold_is_settled_at_most_once(self) -> None:
        assert not (
            CreditHold.objects.filter(workspace=self.workspace)
            .annotate(n=Count("entries", filter=Q(entries__kind="capture")))
            .filter(n__gt=1)
            .exists()
        )
        states = dict(
            CreditHold.objects.filter(workspace=self.workspace).values_list("pk", "state")
        )
        for pk, state in self.settled_once.items():
            assert states[pk] == state
        for pk in self.open:
            assert states[pk] == CreditHold.State.HELD

    @invariant()
    def entries_replay_to_the_cached_totals(self) -> None:
        acct = CreditAccount.objects.get(workspace=self.workspace)
        assert account_drift(acct) == []
        assert acct.balance == self.balance
        assert acct.held == sum(self.open.values())


@pytest.mark.django_db
def test_ledger_invariants_hold_for_any_sequence_of_operations(alice):
    Workspace.objects.filter(pk=alice.workspace.pk).update(name="stateful")
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
