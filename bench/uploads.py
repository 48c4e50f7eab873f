"""Benchmark uploads: throughput and the web process's peak memory for a 1 GiB file.

Run: .venv/bin/python bench/uploads.py  (about 1-2 minutes; BENCH_UPLOAD_MB to change size)

The file is a valid MP4: a real 1 s clip followed by a top-level `free` box padding it to
1 GiB (sample offsets are untouched, so it probes and validates as the clip; the padding is
a sparse hole, so making it is instant). The app runs as `manage.py runserver --noreload`
(config.settings.local, a temp SQLite DB, an enterprise workspace from create_workspace);
its RSS is sampled every 20 ms from /proc/<pid>/status while each upload runs:

  local  multipart   POST /api/v1/uploads (streamed to a temp file, validated, moved)
  local  direct      POST /uploads/direct -> PUT the signed URL -> complete
  s3     multipart   the same POST with USE_S3 on a moto server (temp file -> S3 multipart)
  s3     direct      init -> PUT straight to moto (the app is not in the path) -> complete
                     (the app downloads the object to probe it)

"MB/s" is the file size over the wall time of the whole request sequence.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gallery.mediafiles import make_mp4, pad_mp4  # noqa: E402

PY = sys.executable
MB = 1024 * 1024
SIZE = int(os.environ.get("BENCH_UPLOAD_MB", "1024")) * MB
CHUNK = 1 * MB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) // 1024  # MB
    return out


class Sampler:
    """Max VmRSS of a process while a block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> Sampler:
        self.start_rss = proc_status(self.pid)["VmRSS"]
        self.peak = self.start_rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout


class App:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}"}
        self.url = self.env["PUBLIC_BASE_URL"]

    def __enter__(self) -> App:
        self.proc = subprocess.Popen(
            [PY, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.get(self.url + "/api/v1/gallery/public", timeout=2)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the app did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def multipart(path: Path, boundary: str) -> tuple[Iterator[bytes], int]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def gen() -> Iterator[bytes]:
        yield head
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        yield tail

    return gen(), len(head) + path.stat().st_size + len(tail)


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def measure(app: App, key: str, label: str, fn) -> dict[str, object]:
    with Sampler(app.proc.pid) as sampler:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    hwm = proc_status(app.proc.pid)["VmHWM"]
    row = {
        "case": label,
        "seconds": round(seconds, 2),
        "mb_per_s": round(SIZE / MB / seconds, 1),
        "rss_before_mb": sampler.start_rss,
        "rss_peak_mb": sampler.peak,
        "vmhwm_mb": hwm,
        "result": result,
    }
    print(
        f"{label:<16} {SIZE / MB:>6.0f} MB  {seconds:6.2f} s  {row['mb_per_s']:>7} MB/s  "
        f"RSS {sampler.start_rss} -> peak {sampler.peak} MB (VmHWM {hwm} MB)  {result}",
        flush=True,
    )
    return row


def upload_multipart(app: App, api_key: str, path: Path) -> str:
    body, length = multipart(path, "benchboundary")
    response = httpx.post(
        app.url + "/api/v1/uploads",
        content=body,
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "multipart/form-data; boundary=benchboundary",
            "Content-Length": str(length),
        },
        timeout=600,
    )
    if response.status_code != 201:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:300]}")
    body_json = response.json()
    return f"{body_json['id']} {body_json['kind']} {body_json['width']}x{body_json['height']}"


def upload_direct(app: App, api_key: str, path: Path) -> str:
    auth = {"Authorization": f"Bearer {api_key}"}
    init = httpx.post(
        app.url + "/api/v1/uploads/direct",
        json={
            "filename": path.name,
            "size_bytes": path.stat().st_size,
            "content_type": "video/mp4",
        },
        headers=auth,
        timeout=60,
    )
    init.raise_for_status()
    started = init.json()
    t0 = time.perf_counter()
    put = httpx.put(
        started["put_url"],
        content=file_chunks(path),
        headers={**started["headers"], "Content-Length": str(path.stat().st_size)},
        timeout=600,
    )
    if put.status_code != 200:
        raise RuntimeError(f"PUT failed: {put.status_code} {put.text[:300]}")
    t1 = time.perf_counter()
    done = httpx.post(
        f"{app.url}/api/v1/uploads/direct/{started['upload_id']}/complete",
        headers=auth,
        timeout=600,
    )
    if done.status_code != 200:
        raise RuntimeError(f"complete failed: {done.status_code} {done.text[:300]}")
    t2 = time.perf_counter()
    # The PUT does not touch the app on S3; `complete` is where the app works (it
    # downloads the object to probe it).
    return (
        f"{done.json()['id']} {done.json()['kind']} (PUT {t1 - t0:.1f} s, complete {t2 - t1:.1f} s)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp_dir:
        tmp = Path(tmp_dir)
        clip = make_mp4(tmp / "clip.mp4")
        big = pad_mp4(clip, tmp / "big.mp4", total_bytes=SIZE)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "CELERY_FS_DIR": str(tmp / "celery"),
            "TMPDIR": str(tmp),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("USE_S3", None)
        run([PY, "manage.py", "migrate", "--noinput"], env)
        api_key = json.loads(
            run(
                [PY, "manage.py", "create_workspace", "--email", "bench@example.com",
                 "--tier", "enterprise"],
                env,
            )
        )["api_key"]  # fmt: skip
        print(f"bench/uploads.py: {SIZE / MB:.0f} MB valid MP4, runserver --noreload\n")
        rows = []
        with App(env) as app:
            upload_multipart(app, api_key, clip)  # warm-up: imports, first queries
            rows.append(
                measure(
                    app, "local", "local multipart", lambda: upload_multipart(app, api_key, big)
                )
            )
            rows.append(
                measure(app, "local", "local direct", lambda: upload_direct(app, api_key, big))
            )

        moto_port = free_port()
        moto = subprocess.Popen(
            [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            endpoint = f"http://127.0.0.1:{moto_port}"
            s3_env = {
                **env,
                "USE_S3": "true",
                "AWS_STORAGE_BUCKET_NAME": "bench",
                "AWS_S3_ENDPOINT_URL": endpoint,
                "AWS_S3_REGION_NAME": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_S3_ADDRESSING_STYLE": "path",
            }
            for _ in range(100):
                try:
                    httpx.get(endpoint, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            import boto3

            boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            ).create_bucket(Bucket="bench")
            with App(s3_env) as app:
                upload_multipart(app, api_key, clip)
                rows.append(
                    measure(app, "s3", "s3 multipart", lambda: upload_multipart(app, api_key, big))
                )
                rows.append(
                    measure(app, "s3", "s3 direct", lambda: upload_direct(app, api_key, big))
                )
        finally:
            moto.terminate()
            moto.wait(10)
        print("\n" + json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
