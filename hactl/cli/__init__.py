"""hactl's command line: argument parsing and rendering only; the work happens in hactl.api."""
