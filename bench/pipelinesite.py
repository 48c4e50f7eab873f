"""Settings for the pipeline benchmark (bench/jobs_pipeline.py): the API benchmark's
production settings, plus the in-app provider sandbox that `make run` uses, so provider
jobs run the real adapters, polls and downloads against /_sandbox/ on this machine.
Production settings refuse PROVIDER_SANDBOX from the environment (fake results must never
be charged to customers); a benchmark's workspace is not a customer, so it is turned on
here, after that check."""

from bench.benchsite import *  # noqa: F403

PROVIDER_SANDBOX = True
