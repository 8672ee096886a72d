"""The `outpost` command: a thin wrapper of manage.py (`outpost demo`, `outpost serve`, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["outpost", *sys.argv[1:]])


if __name__ == "__main__":
    main()
