"""The ``reelsmith`` command's arguments: the parser, and the requests built from what
was parsed (cli.py runs them)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from reelsmith._core import __version__
from reelsmith._request import VideoGenerationRequest


class UsageError(Exception):
    pass


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


def video_request(args: argparse.Namespace) -> VideoGenerationRequest:
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


def settings(values: list[str]) -> dict[str, Any]:
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
