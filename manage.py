#!/usr/bin/env python
from outpost.cli import main

if __name__ == "__main__":
    main()
