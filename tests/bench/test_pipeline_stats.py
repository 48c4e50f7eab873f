"""The pipeline benchmark's accounting (bench/pipeline_stats.py): what it reports as
broken must be broken, and a clean run must read as clean."""

from datetime import UTC, datetime, timedelta

from bench.pipeline_stats import JobRow, percentile, phase_summary

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def row(status="completed", start=1.0, end=3.0, price=1, charged=None) -> JobRow:
    ended = status in {"completed", "failed", "cancelled", "rejected"}
    return JobRow(
        status=status,
        created_at=T0,
        started_at=T0 + timedelta(seconds=start) if start is not None else None,
        completed_at=T0 + timedelta(seconds=end) if ended else None,
        credits_estimated=price,
        credits_charged=(price if status == "completed" else 0) if charged is None else charged,
    )


def test_a_clean_run_reports_its_rate_and_waits_and_no_problems():
    rows = [row(start=s, end=e) for s, e in ((1, 2), (2, 4), (3, 5), (4, 10))]
    summary = phase_summary(rows, submitted=4)
    assert summary.problems == []
    assert summary.jobs_per_s == 4 / 10  # four jobs from the first creation to the last end
    assert (summary.start_p50_s, summary.start_p99_s) == (2.0, 4.0)
    assert (summary.completed, summary.failed, summary.charged, summary.price) == (4, 0, 4, 1)


def test_a_failed_job_counts_as_ended_but_may_not_be_charged():
    assert phase_summary([row(), row(status="failed")], submitted=2).problems == []
    summary = phase_summary([row(), row(status="failed", charged=1)], submitted=2)
    assert summary.problems == [
        "charged 2 credits for 1 deliveries at 1",
        "1 jobs that delivered nothing were charged",
    ]


def test_a_job_left_running_or_missing_is_a_problem():
    summary = phase_summary([row(), row(status="running", start=None)], submitted=3)
    assert summary.non_terminal == 1
    assert summary.problems == [
        "3 submits were accepted but 2 jobs exist",
        "1 jobs are not terminal",
    ]


def test_an_undercharge_and_mixed_prices_are_problems():
    assert phase_summary([row(), row(charged=0)], submitted=2).problems == [
        "charged 1 credits for 2 deliveries at 1"
    ]
    assert phase_summary([row(), row(price=2)], submitted=2).problems == [
        "jobs were quoted different prices: [1, 2]"
    ]


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (
        50.0,
        99.0,
        100.0,
    )
    assert percentile([], 50) == 0.0 and percentile([7.0], 99) == 7.0
