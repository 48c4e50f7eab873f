"""Runs a coroutine to completion on a fresh event loop in its own thread: the browser
tests' Playwright (sync API) keeps an event loop running in the main thread for the whole
session, and asyncio.run() refuses to start inside it."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
