"""The ``reelsmith`` command.

Exit codes: 0 done; 1 the job failed (or was cancelled/rejected, or the wait timed out);
2 usage error (bad arguments, a missing file); 3 API error (refused request, network).
``--json`` on every command prints one JSON document on stdout for scripts. Progress goes
to stderr: a bar on a terminal, plain lines when piped."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from reelsmith._cli_args import UsageError, build_parser, settings, video_request
from reelsmith._errors import ReelsmithError, WaitTimeout
from reelsmith._process import ProcessRequest
from reelsmith._sync import Reelsmith
from reelsmith._types import TERMINAL, VideoGenerationResponse

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_API = 0, 1, 2, 3


# --- progress ----------------------------------------------------------------------------


class Progress:
    """A bar redrawn in place on a terminal; one line per change otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.drawn = False

    def __call__(self, job: VideoGenerationResponse) -> None:
        stage = f" · {job.stage}" if job.stage else ""
        if self.tty:
            filled = self.WIDTH * job.progress // 100
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            self.stream.write(f"\r\x1b[2K{bar} {job.progress:3d}% {job.status}{stage}")
            self.drawn = True
            if job.is_terminal:
                self.done()
        else:
            self.stream.write(f"{job.task_id} {job.status} {job.progress}%{stage}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


# --- commands ------------------------------------------------------------------------------


class Output:
    def __init__(self, as_json: bool, out: TextIO) -> None:
        self.as_json = as_json
        self.out = out

    def emit(self, data: Any, text: str) -> None:
        self.out.write((json.dumps(data, indent=2) if self.as_json else text) + "\n")


def _describe(job: VideoGenerationResponse, saved: str | None = None) -> str:
    lines = [f"{job.task_id}  {job.status}  {job.progress}%  {job.model}"]
    if job.status == "completed":
        lines.append(
            f"video: {job.width}x{job.height}, {job.duration} s, {job.size} bytes, {job.format}"
        )
        if saved:
            lines.append(f"saved to {saved}")
        elif job.video_url:
            lines.append(f"url: {job.video_url}")
        if job.hls_url:
            lines.append(f"hls: {job.hls_url}")
    if len(job.attempts) > 1:
        lines.append(
            "attempts: "
            + " -> ".join(
                f"{a.model} on {a.provider}" + (f" ({a.error_code})" if a.error_code else "")
                for a in job.attempts
            )
        )
    if job.error:
        lines.append(f"error: {job.error.code}: {job.error.message}")
    credits = job.credits
    if credits:
        lines.append(
            "credits: "
            + ", ".join(
                f"{k} {v}" for k, v in credits.items() if k in ("estimated", "held", "charged")
            )
        )
    return "\n".join(lines)


def _finish(job: VideoGenerationResponse, args: argparse.Namespace, out: Output) -> int:
    saved = None
    if getattr(args, "output", None) and job.status == "completed":
        saved = str(job.save(args.output))
    out.emit({**job.raw, "saved_to": saved}, _describe(job, saved))
    if job.status in TERMINAL and job.status != "completed":
        return EXIT_JOB_FAILED
    return EXIT_OK


def _wait(
    client: Reelsmith,
    job: VideoGenerationResponse,
    args: argparse.Namespace,
    out: Output,
    err: TextIO,
) -> int:
    if args.no_wait:
        out.emit(job.raw, _describe(job))
        return EXIT_OK
    progress = Progress(err)
    try:
        # Not wait_for_video: a job that ends without a video is reported, then exit 1.
        job = client._wait_until_ended(job, timeout=args.timeout, on_progress=progress)
    finally:
        progress.done()
    return _finish(job, args, out)


def run(args: argparse.Namespace, client: Reelsmith, out: Output, err: TextIO) -> int:
    command = args.command
    if command == "generate":
        job = client.generate_video(video_request(args), wait=False)
        return _wait(client, job, args, out, err)
    if command == "process":
        request = ProcessRequest(
            args.operation,
            args.source,
            settings(args.set),
            model=args.model,
            webhook_url=args.webhook_url,
            prompt=args.prompt,
        )
        return _wait(client, client.process(request, wait=False), args, out, err)
    if command == "status":
        return _finish(client.poll_video(args.task), args, out)
    if command == "last-frame":
        path = client.save_last_frame(args.task, args.output)
        size = path.stat().st_size
        out.emit({"task": args.task, "saved_to": str(path), "bytes": size}, f"saved to {path}")
        return EXIT_OK
    if command == "cancel":
        job = client.cancel(args.task)
        out.emit(job.raw, _describe(job))
        return EXIT_OK
    if command == "models":
        models = client.models(
            method=args.method,
            provider=args.provider,
            quality=args.quality,
            available=args.available,
        )
        table = "\n".join(
            f"{m.id:48} {','.join(m.methods):28} {m.quality:9} "
            f"{'available' if m.available else 'unavailable'}"
            for m in models
        )
        out.emit([m.raw for m in models], table or "(no models)")
        return EXIT_OK
    if command == "estimate":
        est = client.estimate_cost(video_request(args))
        note = "" if est.available else " (unavailable now)"
        out.emit(
            est.raw,
            f"{est.model} ({est.method}): {est.credits} credits "
            f"(${est.cost_usd:.2f}), about {est.processing_time_s} s{note}",
        )
        return EXIT_OK
    if command == "balance":
        bal = client.balance()
        out.emit(
            bal.raw, f"balance {bal.balance}  held {bal.held}  available {bal.available} credits"
        )
        return EXIT_OK
    if command == "upload":
        asset = client.upload(args.file, title=args.title, saved=args.save)
        out.emit(asset.raw, f"{asset.id}  {asset.kind}  {asset.size_bytes} bytes  {asset.title}")
        return EXIT_OK
    raise UsageError(f"Unknown command {command!r}.")  # pragma: no cover - argparse refuses


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out_stream, err = stdout or sys.stdout, stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    out = Output(args.json, out_stream)
    try:
        with Reelsmith(args.api_key, args.base_url) as client:
            return run(args, client, out, err)
    except (UsageError, ValueError, TypeError, OSError) as exc:
        err.write(f"reelsmith: {exc}\n")
        return EXIT_USAGE
    except WaitTimeout as exc:
        err.write(f"reelsmith: {exc}\n")
        if args.json:
            out.emit(
                {"error": {"code": exc.code, "message": exc.message, "task_id": exc.task_id}}, ""
            )
        return EXIT_JOB_FAILED
    except ReelsmithError as exc:
        err.write(f"reelsmith: {exc}\n")
        if args.json:
            out.emit(
                {
                    "error": {
                        "code": exc.code,
                        "message": exc.message,
                        "status": exc.status,
                        "retryable": exc.retryable,
                        "details": exc.details,
                    }
                },
                "",
            )
        return EXIT_USAGE if exc.status is None and exc.code in _CLIENT_SIDE else EXIT_API
    except KeyboardInterrupt:
        err.write("\nreelsmith: interrupted (the job, if any, goes on)\n")
        return 130


_CLIENT_SIDE = frozenset({"VALIDATION_ERROR", "INVALID_RESOLUTION"})
