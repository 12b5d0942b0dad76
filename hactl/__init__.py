"""hactl: provision fault-tolerant AI clusters with Ansible, and prove they are fault tolerant."""

from __future__ import annotations

__version__ = "0.1.0"
