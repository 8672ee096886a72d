"""Briefing pages: the dashboard (dashboard.py) and the daily report (report.py)."""
