"""The policy file: text to checked models to the core's own objects.

``load_policy`` reads YAML, JSON or TOML (or a mapping), checks it against the format-1 models
and the lint rules, and compiles its calendars; every problem is reported at once with file,
line, column and policy path.
"""

from sla_engine.policy.load import (
    Policy,
    PolicySet,
    Validation,
    load_policy,
    load_policy_set,
    validate_policy,
)
from sla_engine.policy.schema import FORMAT_VERSION, PolicySpec

__all__ = [
    "FORMAT_VERSION",
    "Policy",
    "PolicySet",
    "PolicySpec",
    "Validation",
    "load_policy",
    "load_policy_set",
    "validate_policy",
]
