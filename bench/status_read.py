"""Where the time of GET /api/v1/tasks/{id} goes (issue 19), in-process and interleaved so
a busy machine shifts every row alike: the authenticated bare view, the status read as
it was (job_get + JobSerializer) and as it is (one compiled query + the JSON by hand),
then each stage alone. Wall and CPU medians; queries per request.

    .venv/bin/python bench/status_read.py [--n 1000]

Uses bench/jobs_api.py's database (BENCH_DATABASE_URL, recreated) and Redis."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import jobs_api  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    jobs_api.setup()
    os.environ.update(jobs_api.env())
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory

    from apps.accounts import services as accounts
    from apps.accounts.models import Membership
    from apps.jobs import selectors
    from apps.jobs.api.detail import job_detail_body
    from apps.jobs.api.serializers import JobSerializer
    from apps.jobs.api.views import TaskDetailView
    from apps.jobs.models import Job
    from bench.benchurls import AuthenticatedBareView

    class SerializerTaskDetailView(TaskDetailView):
        """The status read before issue 19."""

        def get(self, request, job_id):  # type: ignore[no-untyped-def]
            job = selectors.job_get(workspace=request.workspace, public_id=job_id)
            return Response(JobSerializer(job).data)

    membership = Membership.objects.select_related("workspace").get()
    workspace = membership.workspace
    job = Job.objects.create(
        workspace=workspace,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        prompt=jobs_api.JOB["prompt"],
        params={"duration": 1, "resolution": "480p"},
    )
    _, key = accounts.api_key_create(actor=membership, name="status read bench")
    factory = APIRequestFactory()
    views = {
        "bare, authenticated": (AuthenticatedBareView.as_view(), {}),
        "tasks/{id} serializer": (SerializerTaskDetailView.as_view(), {"job_id": job.public_id}),
        "tasks/{id} now": (TaskDetailView.as_view(), {"job_id": job.public_id}),
    }

    def call(name: str) -> bytes:
        view, kwargs = views[name]
        response = view(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {key}"), **kwargs)
        response.render()
        assert response.status_code == 200, response.content
        return response.content

    assert call("tasks/{id} serializer") == call("tasks/{id} now")
    row = selectors.job_detail_values(workspace=workspace, public_id=job.public_id)
    instance = selectors.job_get(workspace=workspace, public_id=job.public_id)
    stages = {
        "job_get (compiled)": lambda: selectors.job_get(
            workspace=workspace, public_id=job.public_id
        ),
        "ORM get + select_related": lambda: Job.objects.select_related("result_asset").get(
            workspace=workspace, public_id=job.public_id
        ),
        "job_detail_values": lambda: selectors.job_detail_values(
            workspace=workspace, public_id=job.public_id
        ),
        "JobSerializer(job).data": lambda: JobSerializer(instance).data,
        "job_detail_body(row)": lambda: job_detail_body(row),
        "JSONRenderer().render": lambda: JSONRenderer().render(job_detail_body(row)),
    }
    print(f"{'request':<26}{'queries':>8}")
    for name in views:
        with CaptureQueriesContext(connection) as queries:
            call(name)
        print(f"{name:<26}{len(queries):>8}")

    def measure(fns: dict) -> dict:
        wall: dict = {n: [] for n in fns}
        cpu: dict = {n: [] for n in fns}
        for _ in range(args.n):
            for name, fn in fns.items():
                c, t = time.thread_time(), time.perf_counter()
                fn()
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(time.thread_time() - c)
        return {
            n: (sorted(wall[n])[args.n // 2] * 1e6, sorted(cpu[n])[args.n // 2] * 1e6) for n in fns
        }

    got = measure({name: (lambda name=name: call(name)) for name in views})
    base = got["bare, authenticated"]
    print(f"\n{'request':<26}{'wall us':>9}{'+auth':>8}{'cpu us':>9}{'+auth':>8}")
    for name, (w, c) in got.items():
        print(f"{name:<26}{w:>9.0f}{w - base[0]:>8.0f}{c:>9.0f}{c - base[1]:>8.0f}")
    print(f"\n{'stage':<26}{'wall us':>9}{'cpu us':>9}")
    for name, (w, c) in measure(stages).items():
        print(f"{name:<26}{w:>9.0f}{c:>9.0f}")


if __name__ == "__main__":
    main()
