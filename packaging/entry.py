"""The bundle's entry point: ``desktop-crm`` (window, sync, lookup, open) in one executable."""

import sys

from desktop_crm.app import main

if __name__ == "__main__":
    sys.exit(main())
