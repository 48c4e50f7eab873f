"""Benchmark (issue 19): how close to the bare view any synchronous, durable submit can
get on this machine. Under the same gunicorn, PostgreSQL, Redis and wrk as
bench/jobs_api.py, rows take turns:

    bare DRF view            the baseline
    bare, authenticated      + the key lookup and the rate limit (one Redis round trip)
    insert floor             + the job and its first event, one INSERT in autocommit
    accept floor             + the real acceptance: workspace lock, active-job count, the
                               hold, the key budget, job and event (one round trip, one
                               transaction, its commit) and the start's publish
    POST /api/v1/generate    the real submit

The floors skip everything a submit computes (body, preflight, screening, price, answer):
their ratio to the bare view is an upper bound for a submit that accepts into PostgreSQL
inside the request (bench/benchurls.py).

    .venv/bin/python bench/submit_floor.py [--seconds 10] [--rounds 5]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.jobs_api import arguments, print_cpu, print_rows, run_rows


def main() -> None:
    args = arguments()
    rows, _ = run_rows(
        args,
        lambda key, _job: {
            "insert floor": ("/api/bench/insert-floor", key, {}),
            "accept floor": ("/api/bench/accept-floor", key, {}),
        },
    )
    print(f"gunicorn {args.workers} workers, wrk 2 threads x {args.connections} connections")
    print_rows(rows)
    print_cpu(rows)


if __name__ == "__main__":
    main()
