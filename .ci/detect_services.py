"""Prints `export` lines for PostgreSQL and Redis on localhost when they answer and the
caller has not chosen a DATABASE_URL / REDIS_URL itself (used by `make test`)."""

import os
import socket


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


if "DATABASE_URL" not in os.environ and answers(5432):
    print("export DATABASE_URL=postgres://postgres@127.0.0.1:5432/reelsmith")
if "REDIS_URL" not in os.environ and answers(6379):
    print("export REDIS_URL=redis://127.0.0.1:6379/0")
