"""The checks behind preflight: parse job fields and probed inputs, and list every way
they don't fit one model. Nothing here raises; preflight gathers the problems."""

from apps.catalog.checks.fields import model_check
from apps.catalog.checks.parse import ProbedInput, Problem, Resolved, inputs_parse

__all__ = ["ProbedInput", "Problem", "Resolved", "inputs_parse", "model_check"]
