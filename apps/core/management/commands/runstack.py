"""`make run`'s supervisor: the web server, a Celery worker and beat in one terminal.

Output is prefixed per process; Ctrl-C (or any process exiting) stops all three."""

import os
import shlex
import sys
from typing import Any

from django.core.management.base import BaseCommand
from honcho.manager import Manager


class Command(BaseCommand):
    help = "Run web + worker + beat under one supervisor (development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args: Any, **opts: Any) -> None:
        py = shlex.quote(sys.executable)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        manager = Manager()
        manager.add_process("web", f"{py} manage.py runserver {opts['addr']}", env=env)
        manager.add_process(
            "worker",
            f"{py} -m celery -A config worker --loglevel=INFO "
            f"--concurrency={opts['concurrency']} --without-gossip --without-mingle",
            env=env,
        )
        manager.add_process("beat", f"{py} -m celery -A config beat --loglevel=INFO", env=env)
        manager.loop()
        sys.exit(manager.returncode)
