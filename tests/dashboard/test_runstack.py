"""`make run`'s supervisor (manage.py runstack), run for real: it prints its URL only once
the server answers, PORT changes the port, a busy port says which setting to change, and
Ctrl-C (SIGINT) stops web, worker and beat and exits 0 without killing anything."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from apps.core.supervisor import port_is_free

# This branch's own port range (8210-8219): tests running side by side never collide.
PORTS = range(8210, 8220)
URL_LINE = re.compile(r"Reelsmith is running on (http://\S+)")
STARTED = re.compile(r"^system \| (\w+) started \(pid (\d+)\)")


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8210-8219")


def runstack_env(tmp_path: Path, port: int) -> dict[str, str]:
    """`make run`'s settings (local) on throw-away state: its own SQLite file, broker
    folder, beat schedule and media, so the test never touches a real checkout's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
        and not k.startswith(("PUBLIC_BASE_URL", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        CELERY_FS_DIR=str(tmp_path / "celery"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat" / "schedule"),
        MEDIA_ROOT=str(tmp_path / "media"),
        # runstack empties its metrics directory: never the test run's own.
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        PORT=str(port),
    )
    return env


class Output:
    """The command's output, read line by line in the background."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.url_seen_at: int | None = None
        self.answered_when_url_seen: bool | None = None
        self._proc = proc
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self.lines.append(line.rstrip("\n"))
            match = URL_LINE.search(line)
            if match and self.url_seen_at is None:
                # Checked at once: the URL must not be printed before the server answers.
                self.answered_when_url_seen = _answers(match.group(1))
                self.url_seen_at = len(self.lines)

    def wait_for_url(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self._proc.poll() is None:
            if self.url_seen_at is not None:
                return URL_LINE.search(self.lines[self.url_seen_at - 1]).group(1)  # type: ignore[union-attr]
            time.sleep(0.2)
        raise AssertionError("no URL line; output:\n" + "\n".join(self.lines[-60:]))

    def pids(self) -> dict[str, int]:
        found = {}
        for line in self.lines:
            match = STARTED.match(line)
            if match:
                found[match.group(1)] = int(match.group(2))
        return found

    def join(self) -> None:
        self._thread.join(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "login/", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie not yet reaped by its parent is gone too.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def start(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    # As `make run` does: the database is migrated before the stack starts (the pages
    # read the catalog and the tiers).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=runstack_env(tmp_path, port),
        check=True,
        timeout=300,
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "runstack"],
        cwd=settings.BASE_DIR,
        env=runstack_env(tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # SIGINT below reaches runstack alone, like a terminal's
    )


def test_runstack_prints_its_url_once_it_answers_and_ctrl_c_exits_0(tmp_path):
    port = free_port()
    proc = start(tmp_path, port)
    output = Output(proc)
    try:
        url = output.wait_for_url(timeout_s=180)
        assert url == f"http://127.0.0.1:{port}/"
        assert output.answered_when_url_seen is True
        with urllib.request.urlopen(url + "login/", timeout=10) as response:
            assert response.status == 200
        text = "\n".join(output.lines)
        assert "Provider sandbox on" in text and "PROVIDER_SANDBOX=0" in text
        assert not any(URL_LINE.search(line) for line in output.lines[: output.url_seen_at - 1])
        pids = output.pids()
        assert set(pids) == {"web", "worker", "beat"}

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output.join()
    text = "\n".join(output.lines)
    assert "killing" not in text, text[-3000:]  # nothing needed SIGKILL
    assert "system | stopped" in text
    for name, pid in pids.items():
        assert _gone(pid), f"{name} (pid {pid}) still running"
    assert port_is_free("127.0.0.1", port)  # nothing listens there any more


def test_a_busy_port_says_which_setting_to_change(tmp_path):
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        proc = start(tmp_path, port)
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in out
    assert f"make run PORT={port + 1}" in out and "PUBLIC_BASE_URL" in out
    assert "started" not in out  # nothing was started


def _public_base_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.local as s; print(s.PUBLIC_BASE_URL)"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_public_base_url_follows_port_unless_set():
    assert _public_base_url() == "http://127.0.0.1:8000"
    assert _public_base_url(PORT="8213") == "http://127.0.0.1:8213"
    assert _public_base_url(PORT="8213", PUBLIC_BASE_URL="https://demo.example/") == (
        "https://demo.example"
    )
    assert _public_base_url(PORT="8213", PUBLIC_BASE_URL="") == "http://127.0.0.1:8213"
