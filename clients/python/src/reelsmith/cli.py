"""The ``reelsmith`` command.

Exit codes: 0 done; 1 the job failed (or was cancelled/rejected, or the wait timed out);
2 usage error (bad arguments, a missing file); 3 API error (refused request, network).
``--json`` on every command prints one JSON document on stdout for scripts. Progress goes
to stderr: a bar on a terminal, plain lines when piped."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from reelsmith._core import __version__
from reelsmith._errors import ReelsmithError, WaitTimeout
from reelsmith._process import ProcessRequest
from reelsmith._request import VideoGenerationRequest
from reelsmith._sync import Reelsmith
from reelsmith._types import TERMINAL, VideoGenerationResponse

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_API = 0, 1, 2, 3


class UsageError(Exception):
    pass


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


# --- arguments -----------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On the subcommands too, so `reelsmith balance --json` works; SUPPRESS keeps a
    # subcommand from resetting what was given before it.
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top else default,
        help="print one JSON document on stdout",
    )
    parser.add_argument("--api-key", default=default, help="default: $REELSMITH_API_KEY")
    parser.add_argument("--base-url", default=default, help="default: $REELSMITH_BASE_URL")


def _video_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", default="", help="what to make")
    parser.add_argument("--model", help="catalogue model id (see `reelsmith models`)")
    parser.add_argument(
        "--method", help="text-to-video, image-to-video, extend-video, lip-sync, storyboard"
    )
    parser.add_argument("--duration", type=int, help="seconds")
    parser.add_argument("--width", type=int)
    parser.add_argument("--height", type=int)
    parser.add_argument("--resolution", help="e.g. 720p")
    parser.add_argument("--aspect-ratio", help="e.g. 16:9")
    parser.add_argument("--fps", type=int)
    parser.add_argument("--quality", choices=["draft", "standard", "premium"])
    parser.add_argument("--seed", type=int)
    parser.add_argument("--negative-prompt")
    parser.add_argument("--audio", action="store_true", default=None, help="native audio")
    parser.add_argument("--image", help="path, URL or asset id")
    parser.add_argument("--end-image", help="path, URL or asset id")
    parser.add_argument("--video", help="path, URL or asset id (to extend)")
    parser.add_argument("--audio-file", help="path, URL or asset id (lip-sync)")
    parser.add_argument("--camera-motion")
    parser.add_argument("--motion-strength", type=float)
    parser.add_argument(
        "--scene", action="append", metavar="SECONDS:PROMPT", help="a storyboard scene (repeat)"
    )
    parser.add_argument("--webhook-url")
    parser.add_argument(
        "--fallback-model",
        action="append",
        metavar="MODEL",
        help="tried in order if the model's provider fails before any output (repeat, up to 3)",
    )
    parser.add_argument(
        "--mode", help="extend-video: continue (with an image-to-video --model); Grok's modes"
    )
    parser.add_argument(
        "--crossfade", type=float, help="seconds of dissolve at a continuation's join (0-1)"
    )
    parser.add_argument(
        "--output-format", choices=["hls"], help="hls: also an adaptive HLS set (HLS_TIERS)"
    )


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="save the video here")
    parser.add_argument("--no-wait", action="store_true", help="print the task and return")
    parser.add_argument("--timeout", type=float, help="seconds to wait (default 600)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reelsmith",
        description="Reelsmith from the command line. Exit codes: 0 done, 1 job failed, "
        "2 usage error, 3 API error.",
    )
    parser.add_argument("--version", action="version", version=f"reelsmith {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        _common(p, top=False)
        return p

    p = add("generate", "generate a video and wait for it")
    _video_options(p)
    _wait_options(p)
    p = add("process", "edit, enhance, transform, optimize, remove-background or retake a video")
    p.add_argument(
        "operation",
        choices=["edit", "enhance", "transform", "optimize", "remove-background", "retake"],
    )
    p.add_argument("--prompt", help="retake / AI edit models: what the new stretch shows")
    p.add_argument("--source", required=True, help="path, URL or asset id")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting, e.g. trim_start=1 (repeat)",
    )
    p.add_argument("--model")
    p.add_argument("--webhook-url")
    _wait_options(p)
    p = add("status", "show a task (and save its video with -o)")
    p.add_argument("task")
    p.add_argument("-o", "--output", help="save the video here")
    p = add("last-frame", "save the last frame of a completed task's video as PNG")
    p.add_argument("task")
    p.add_argument("-o", "--output", required=True, help="the PNG file to write")
    p = add("cancel", "cancel a task (its credits are released)")
    p.add_argument("task")
    p = add("models", "list the models")
    p.add_argument("--method")
    p.add_argument("--provider")
    p.add_argument("--quality", choices=["draft", "standard", "premium"])
    p.add_argument("--available", action="store_true", default=None, help="only available ones")
    p = add("estimate", "price a video before making it")
    _video_options(p)
    add("balance", "show the workspace's credits")
    p = add("upload", "upload a file as an asset")
    p.add_argument("file")
    p.add_argument("--title")
    p.add_argument("--save", action="store_true", help="keep it in the gallery (no retention)")
    return parser


def _video_request(args: argparse.Namespace) -> VideoGenerationRequest:
    request = VideoGenerationRequest(args.prompt)
    setters: list[tuple[Any, Callable[[Any], VideoGenerationRequest]]] = [
        (args.model, lambda v: request.with_model(v)),
        (args.method, lambda v: request.with_method(v)),
        (args.duration, lambda v: request.with_duration(v)),
        (args.width, lambda v: request.with_width(v)),
        (args.height, lambda v: request.with_height(v)),
        (args.resolution, lambda v: request.with_resolution(v)),
        (args.aspect_ratio, lambda v: request.with_aspect_ratio(v)),
        (args.fps, lambda v: request.with_fps(v)),
        (args.quality, lambda v: request.with_quality(v)),
        (args.seed, lambda v: request.with_seed(v)),
        (args.negative_prompt, lambda v: request.with_negative_prompt(v)),
        (args.audio, lambda v: request.with_audio(v)),
        (args.image, lambda v: request.with_image(v)),
        (args.end_image, lambda v: request.with_end_image(v)),
        (args.video, lambda v: request.with_video(v)),
        (args.audio_file, lambda v: request.with_audio_file(v)),
        (args.camera_motion, lambda v: request.with_camera_motion(v)),
        (args.motion_strength, lambda v: request.with_motion_strength(v)),
        (args.scene, lambda v: request.with_storyboard(_scenes(v))),
        (args.webhook_url, lambda v: request.with_webhook_url(v)),
        (args.fallback_model, lambda v: request.with_fallback_models(*v)),
        (args.mode, lambda v: request.with_mode(v)),
        (args.crossfade, lambda v: request.with_crossfade(v)),
        (args.output_format, lambda v: request.with_output_format(v)),
    ]
    for value, setter in setters:
        if value is not None:
            request = setter(value)
    return request


def _scenes(values: list[str]) -> list[tuple[str, int]]:
    scenes = []
    for value in values:
        seconds, sep, prompt = value.partition(":")
        if not sep or not seconds.strip().isdigit():
            raise UsageError(f"--scene takes SECONDS:PROMPT, not {value!r}.")
        scenes.append((prompt.strip(), int(seconds)))
    return scenes


def _settings(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise UsageError(f"--set takes NAME=VALUE, not {value!r}.")
        try:
            out[name] = json.loads(raw)  # numbers and booleans keep their type
        except ValueError:
            out[name] = raw
    return out


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
        job = client.generate_video(_video_request(args), wait=False)
        return _wait(client, job, args, out, err)
    if command == "process":
        request = ProcessRequest(
            args.operation,
            args.source,
            _settings(args.set),
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
        est = client.estimate_cost(_video_request(args))
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
