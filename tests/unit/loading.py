"""Load a Python file by path as a module: plugins (Ansible finds them by path, not as a package),
the Ansible modules with their module_utils, the kubeadm test double and its suffix-less bundle."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_source(name: str, path: Path, *, register: bool = False) -> ModuleType:
    """The file at ``path`` executed as module ``name``.

    ``register`` puts it into sys.modules first, under ``name``: needed where other code imports
    it by that name, e.g. ``ansible.module_utils._gluster`` for the gluster modules.
    """
    loader = importlib.machinery.SourceFileLoader(name, str(path))  # also files without .py
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    loader.exec_module(module)
    return module
