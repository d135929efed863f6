"""Hypothesis profiles for the fuzz tests: ``ci`` (the default, modest) and ``long``.

``HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py`` runs at least 10,000 inputs per
fuzz test (docs/security.md gives the command and the last result). Profiles already
registered elsewhere (a conftest) are left as they are.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
PROFILES = {
    "ci": settings(max_examples=50, **_COMMON),  # type: ignore[arg-type]
    "long": settings(max_examples=10_000, **_COMMON),  # type: ignore[arg-type]
}

for _name, _profile in PROFILES.items():
    try:
        settings.get_profile(_name)
    except InvalidArgument:
        settings.register_profile(_name, _profile)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
