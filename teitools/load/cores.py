"""How many processes a command may run at once: the cores this one may run on."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on (its affinity, as a container or ``taskset`` limits
    it, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
