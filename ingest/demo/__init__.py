"""Synthetic organisations for demos, tests and benchmarks: ``generate_demo_data`` writes real export files
(HRIS CSV, Stack Exchange dump, Slack export, JSON lines) plus ``truth.json`` with the planted structure."""

from ingest.demo.generate import (
    DEFAULT_END,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    GENERATOR,
    MANIFEST,
    STEPS,
    DemoSummary,
    Simulation,
    build_truth,
    check_outdir,
    check_people,
    generate_demo_data,
    simulate,
)
from ingest.demo.org import MAX_PEOPLE, MIN_PEOPLE

__all__ = [
    "DEFAULT_END",
    "DEFAULT_PEOPLE",
    "DEFAULT_SEED",
    "GENERATOR",
    "MANIFEST",
    "MAX_PEOPLE",
    "MIN_PEOPLE",
    "STEPS",
    "DemoSummary",
    "Simulation",
    "build_truth",
    "check_outdir",
    "check_people",
    "generate_demo_data",
    "simulate",
]
