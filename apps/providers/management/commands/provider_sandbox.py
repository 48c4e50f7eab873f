"""`python manage.py provider_sandbox --port 8765`: all seven fake provider APIs on one
port, printing the settings that point Reelsmith at them."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from apps.providers.sandbox.core import Sandbox


class Command(BaseCommand):
    help = "Runs the protocol-faithful provider sandboxes (WaveSpeed, fal, Replicate, ...)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--polls", type=int, default=3, help="Polls until a task is done.")

    def handle(self, *args: Any, **opts: Any) -> None:
        sandbox = Sandbox(host=opts["host"], port=opts["port"], polls_needed=opts["polls"]).start()
        self.stdout.write(f"Provider sandbox on {sandbox.root}\n")
        self.stdout.write("Put these in your environment (.env) and restart web + worker:\n")
        for name, value in sandbox.settings().items():
            self.stdout.write(f"{name}={value}\n")
        self.stdout.write(f"OUTBOUND_ALLOWED_NETLOCS={sandbox.netloc}\n")
        self.stdout.write(
            'Magic prompts: "[sandbox:fail]", "[sandbox:policy]", "[sandbox:429]", ...\n'
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sandbox.stop()
