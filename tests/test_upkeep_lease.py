"""The upkeep lease is claimed once per pass, not once per step, renewed while a long pass runs, and given back
when the pass ends so another process can take over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from memoryos import Memoryos
from memoryos.models import Scope
from memoryos.storage.sqlite import SqliteStore
from memoryos.upkeep.lease import UpkeepLease


class LeaseCalls:
    """Counts the store's lease writes (each one a synced commit)."""

    def __init__(self, memo: Memoryos) -> None:
        self.claims = 0
        self.releases = 0
        store = memo.store
        claim, release = store.claim_upkeep, store.release_upkeep

        def counted_claim(*args: Any) -> bool:
            self.claims += 1
            return claim(*args)

        def counted_release(*args: Any) -> None:
            self.releases += 1
            release(*args)

        store.claim_upkeep = counted_claim  # type: ignore[method-assign]
        store.release_upkeep = counted_release  # type: ignore[method-assign]


def test_a_pass_of_several_steps_claims_and_releases_the_lease_once(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(short_term_capacity=4, short_term_retain=1)
    held_elsewhere = memo.store.claim_upkeep(memo.scope, "another-process", 600)
    assert held_elsewhere
    for i in range(12):  # upkeep is held elsewhere: a backlog of several batches waits
        memo.add_memory(f"I planted tree number {i} in the garden.", "Lovely.")
    memo.store.release_upkeep(memo.scope, "another-process")
    calls = LeaseCalls(memo)
    assert memo.flush()
    assert memo.stats()["pages"].get("mid", 0) >= 9  # three batches moved in one pass
    assert (calls.claims, calls.releases) == (1, 1)
    assert memo.store.claim_upkeep(memo.scope, "another-process", 600)  # given back when the pass ended


def test_promote_inside_a_kept_pass_does_not_give_the_lease_away(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo()
    for i in range(10):
        memo.add_memory(f"My sister Ana plays the cello, concert {i}.", "Wonderful.")
    calls = LeaseCalls(memo)
    with memo._lease.keep():  # a background pass between two of its steps
        assert memo._lease.acquire()
        memo.promote()  # the caller's promotion shares the claim
        assert memo._lease.held
        assert (calls.claims, calls.releases) == (1, 0)
        assert not memo.store.claim_upkeep(memo.scope, "another-process", 600)  # (counted: a second claim)
        memo._lease.release()
    assert not memo._lease.held
    assert (calls.claims, calls.releases) == (2, 1)
    assert memo.store.claim_upkeep(memo.scope, "another-process", 600)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sqlite_store(tmp_path: Any) -> Any:
    store = SqliteStore(str(tmp_path / "lease.db"))
    yield store
    store.close()


def test_a_long_pass_renews_its_lease_and_loses_it_only_after_stopping(sqlite_store: SqliteStore) -> None:
    scope = Scope(user_id="u", assistant_id="a")
    clock = Clock()
    lease = UpkeepLease(sqlite_store, scope, "me", seconds=30, clock=clock)
    with lease.keep():
        assert lease.acquire()
        lease.release()
        clock.now = 11  # past a third of the lease: the next step renews it in the store
        assert lease.acquire()
        lease.release()
        assert not sqlite_store.claim_upkeep(scope, "other", 30)  # renewed: still ours
    assert not lease.held
    assert sqlite_store.claim_upkeep(scope, "other", 60)  # released at the end of the pass
    clock.now = 12
    assert not lease.acquire()  # the other process holds it now
    assert not lease.held
