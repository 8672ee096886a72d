"""Notices with read receipts (权威信息推送 · 阅知确认): officers write a notice and push it to
chosen enterprises and/or units; each recipient enterprise confirms it read it; an
enterprise that has not confirmed by the deadline is escalated along a ladder (inbox → SMS
to the liaison → a phone call by the responsible officer), each step logged.

The package holds the part's models (imported by ``enterprises.models``), choices,
services, selectors, pages, API, scheduled job, to-do lines and declarations; `hooks.ready`
registers them from the app's ``ready()``."""
