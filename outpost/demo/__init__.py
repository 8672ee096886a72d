"""The demo district (演示辖区): a seeded, deterministic station shaped like the reference one.

`outpost demo` builds it; `build_demo_district` is the entry point for code and tests.
"""

from outpost.demo.district import (
    DemoDistrictError,
    DemoLogin,
    DemoSummary,
    build_demo_district,
    plan_demo_district,
)

__all__ = [
    "DemoDistrictError",
    "DemoLogin",
    "DemoSummary",
    "build_demo_district",
    "plan_demo_district",
]
