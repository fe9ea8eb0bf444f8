"""Benchmarks (`make bench`): the production settings plus one trivial view to compare pages against."""

from .production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
