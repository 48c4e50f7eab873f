"""The pipeline benchmark's figures and money checks, computed from the jobs' own rows
(bench/jobs_pipeline.py); plain functions so a test can feed them rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TERMINAL = {"completed", "failed", "cancelled", "rejected"}


@dataclass(frozen=True)
class JobRow:
    status: str
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None  # set on every terminal state
    credits_estimated: int  # credits
    credits_charged: int  # credits


@dataclass
class Phase:
    jobs: int
    completed: int
    failed: int
    non_terminal: int
    jobs_per_s: float
    start_p50_s: float
    start_p99_s: float
    price: int | None  # credits per job; None when the jobs were quoted different prices
    charged: int  # credits
    problems: list[str] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


def phase_summary(rows: list[JobRow], *, submitted: int) -> Phase:
    """Throughput from the first job's creation to the last one's terminal state; queue
    wait (created -> started) percentiles; and what was charged against what was
    delivered. `problems` lists every broken accounting rule."""
    ended = [r for r in rows if r.status in TERMINAL and r.completed_at is not None]
    completed = [r for r in rows if r.status == "completed"]
    waits = [(r.started_at - r.created_at).total_seconds() for r in rows if r.started_at]
    span = 0.0
    if ended:
        first = min(r.created_at for r in rows)
        span = (max(r.completed_at for r in ended) - first).total_seconds()  # type: ignore[type-var]
    prices = {r.credits_estimated for r in rows}
    price = prices.pop() if len(prices) == 1 else None
    charged = sum(r.credits_charged for r in rows)
    problems = []
    if len(rows) != submitted:
        problems.append(f"{submitted} submits were accepted but {len(rows)} jobs exist")
    if len(ended) != len(rows):
        problems.append(f"{len(rows) - len(ended)} jobs are not terminal")
    if price is None:
        problems.append(
            f"jobs were quoted different prices: {sorted({r.credits_estimated for r in rows})}"
        )
    elif charged != len(completed) * price:
        problems.append(f"charged {charged} credits for {len(completed)} deliveries at {price}")
    uncharged = [r for r in rows if r.status != "completed" and r.credits_charged]
    if uncharged:
        problems.append(f"{len(uncharged)} jobs that delivered nothing were charged")
    return Phase(
        jobs=len(rows),
        completed=len(completed),
        failed=len(ended) - len(completed),
        non_terminal=len(rows) - len(ended),
        jobs_per_s=len(ended) / span if span > 0 else 0.0,
        start_p50_s=percentile(waits, 50),
        start_p99_s=percentile(waits, 99),
        price=price,
        charged=charged,
        problems=problems,
    )
