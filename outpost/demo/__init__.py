"""The demo district (演示辖区): a seeded, deterministic station shaped like the reference one.

`outpost demo` (this app's command) builds it; `outpost.demo.district.build_demo_district`
is the entry point for code and tests. An installed app: this package imports no models,
so that Django can load it.
"""
