"""`make run`'s supervisor: the web server, a Celery worker and beat in one terminal.

Listens on 127.0.0.1:PORT (the PORT setting, 8000 by default; PUBLIC_BASE_URL follows it
unless set). Prints the URL only once the web server answers; a busy port says which
setting to change; Ctrl-C stops all three and exits 0 (apps/core/supervisor.py)."""

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from apps.accounts.models import User
from apps.core.metrics import MULTIPROC_ENV, multiproc_clear
from apps.core.supervisor import Supervisor, answers, port_is_free
from apps.dashboard.management.commands.demo_setup import DEMO_EMAIL, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run web + worker + beat under one supervisor (development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None, help="Default: the PORT setting.")
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args: Any, **opts: Any) -> None:
        host, port = opts["host"], opts["port"] or int(settings.PORT)
        if not port_is_free(host, port):
            self.stderr.write(
                f"Port {port} on {host} is already in use. Set PORT to a free port "
                f"(`make run PORT={port + 1}`, or PORT={port + 1} in .env); "
                "PUBLIC_BASE_URL follows it unless you set it."
            )
            sys.exit(1)
        # beat keeps its schedule there (a fresh clone has no var/ yet).
        Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
        url = f"http://{host}:{port}/"
        py = sys.executable
        # Prometheus multiprocess mode: web, worker (each pool process) and beat write their
        # metrics to one directory that /metrics adds up; emptied here, at the stack's start.
        metrics_dir = Path(
            os.environ.get(MULTIPROC_ENV) or settings.VAR_DIR / "prometheus"  # type: ignore[misc]
        )
        multiproc_clear(metrics_dir)
        supervisor = Supervisor(env={"PORT": str(port), MULTIPROC_ENV: str(metrics_dir)})
        supervisor.add("web", [py, "manage.py", "runserver", f"{host}:{port}"])
        supervisor.add(
            "worker",
            [py, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO",
             f"--concurrency={opts['concurrency']}", "--without-gossip", "--without-mingle"],
        )  # fmt: skip
        supervisor.add("beat", [py, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"])
        supervisor.start()
        try:
            if supervisor.wait_until(lambda: answers(url)):
                supervisor.say(self._banner(url, port))
            status = supervisor.run()
        finally:
            supervisor.stop()  # also when something above raised: never leave orphans
        sys.exit(status)

    def _banner(self, url: str, port: int) -> str:
        base = settings.PUBLIC_BASE_URL
        lines = ["", f"  Reelsmith is running on {url}"]
        if _demo_exists():
            lines.append(f"  Log in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
        lines.append(f"  API docs: {url}api/docs/   Health: {url}healthz")
        if settings.PROVIDER_SANDBOX:
            lines.append(
                "  Provider sandbox on: every model runs on built-in fake providers "
                "(PROVIDER_SANDBOX=0 to use real ones)."
            )
            if urlsplit(base).port != port:
                lines.append(
                    f"  Note: PUBLIC_BASE_URL is {base}: the sandbox is reached through it."
                )
        lines += ["  Ctrl-C stops everything.", ""]
        return "\n".join(lines)


def _demo_exists() -> bool:
    try:
        return User.objects.filter(email=DEMO_EMAIL).exists()
    except DatabaseError:  # not migrated yet: the server still runs, say so elsewhere
        return False
