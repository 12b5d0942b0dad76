"""Entry point for ``python -m hactl``."""

from __future__ import annotations

from hactl.cli.main import main

raise SystemExit(main())
