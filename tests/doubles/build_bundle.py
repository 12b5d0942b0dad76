"""Build the offline bundle of the kubeadm/kubelet/kubectl TEST DOUBLE (tests only).

    python tests/doubles/build_bundle.py OUTDIR --version 1.31.4

writes OUTDIR/{kubeadm,kubelet,kubectl} (tests/doubles/k8s_double.py with the version and the
API schema of tests/data/kubeadm_api_schema.yml embedded) and OUTDIR/SHA256SUMS, the layout the
kubernetes_packages role's offline-bundle path installs from (format: binaries).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROGRAMS = ("kubeadm", "kubelet", "kubectl")


def render(version: str) -> str:
    schema = yaml.safe_load((HERE.parent / "data/kubeadm_api_schema.yml").read_text())
    source = (HERE / "k8s_double.py").read_text()
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise SystemExit(f"version {version!r} is not MAJOR.MINOR.PATCH")
    source = source.replace('VERSION = "v1.31.4"  # replaced by build_bundle.py',
                            f'VERSION = "v{version}"', 1)  # fmt: skip
    return source.replace(
        'SCHEMA_JSON = "{}"  # replaced by build_bundle.py',
        f"SCHEMA_JSON = {json.dumps(json.dumps(schema, sort_keys=True))}",
        1,
    )


def build(outdir: Path, version: str) -> dict[str, str]:
    outdir.mkdir(parents=True, exist_ok=True)
    text = render(version)
    sums = {}
    for name in PROGRAMS:
        path = outdir / name
        path.write_text(text)
        path.chmod(0o755)
        sums[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (outdir / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()))
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    for name, digest in build(args.outdir, args.version).items():
        print(f"{digest}  {name}")


if __name__ == "__main__":
    main()
