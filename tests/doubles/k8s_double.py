#!/usr/bin/python3
"""TEST DOUBLE for kubeadm, kubelet and kubectl -- never a real Kubernetes.

kubeadm, the kubelet and Kubernetes images cannot be had on hactl's test machines, so the molecule
scenario of roles/kubeadm_control_plane installs this one script three times (as kubeadm, kubelet
and kubectl) through the kubernetes_packages role's offline-bundle path, with sha256 checksums
(tests/doubles/build_bundle.py makes the bundle and embeds the API schema and version).

What it does, per program (chosen by the name it is called as):
- kubeadm: checks its arguments and config files as kubeadm would -- known apiVersion/kind, no
  unknown fields, right types (tests/data/kubeadm_api_schema.yml), no mixing of --config with
  other flags, a control-plane join needs controlPlane.certificateKey, a bootstrap token must exist
  and not be expired, the CA pin must match -- then writes what kubeadm writes under
  /etc/kubernetes and /var/lib/kubelet (a real CA made with openssl) and restarts the kubelet.
- kubelet: runs (sleeps) once kubeadm has written its config, after checking that the container
  runtime answers on its CRI socket (real containerd) and uses the systemd cgroup driver;
  without a config it exits 1, so systemd restarts it, as with the real kubelet before kubeadm.
- kubectl: answers /readyz, lists nodes, cordons, drains and deletes them, from the shared state.

The "cluster" (what kube-apiserver and etcd hold) is a JSON file in a directory the scenario
mounts into every node (STATE_DIR); each node also logs every call as JSON lines in CALL_LOG.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

VERSION = "v1.31.4"  # replaced by build_bundle.py
SCHEMA_JSON = "{}"  # replaced by build_bundle.py

STATE_DIR = Path(os.environ.get("HACTL_K8S_DOUBLE_STATE", "/var/lib/hactl-k8s-double"))
CALL_LOG = Path(os.environ.get("HACTL_K8S_DOUBLE_LOG", "/var/log/hactl-k8s-double.jsonl"))
ETC = Path("/etc/kubernetes")
PKI = ETC / "pki"
KUBELET_DIR = Path("/var/lib/kubelet")
TOKEN_RE = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
KEY_RE = re.compile(r"^[a-f0-9]{64}$")
CERTS_SECRET_TTL = timedelta(hours=2)  # kubeadm deletes the kubeadm-certs Secret after 2 h
# Flags kubeadm allows beside --config (cmd/kubeadm/app/cmd/util: isAllowedFlag), and --skip-*
MIXABLE = {
    "--config",
    "--ignore-preflight-errors",
    "--dry-run",
    "--kubeconfig",
    "--node-name",
    "--kubeconfig-dir",
    "--upload-certs",
    "--print-manifest",
    "--feature-gates",
    "--print-join-command",
    "--rootfs",
    "-v",
    "--v",
    "--log-file",
    "--yes",
}


class DoubleError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The API schema check (also imported by the unit tests)


def _check_value(value: Any, typ: str, types: dict, path: str, errors: list[str]) -> None:
    if typ == "any":
        return
    if typ.startswith("[]"):
        if not isinstance(value, list):
            errors.append(f"{path}: want a list ({typ}), got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            _check_value(item, typ[2:], types, f"{path}[{i}]", errors)
        return
    if typ.startswith("map[string]"):
        if not isinstance(value, dict):
            errors.append(f"{path}: want a map ({typ}), got {type(value).__name__}")
            return
        for key, item in value.items():
            _check_value(item, typ[len("map[string]") :], types, f"{path}.{key}", errors)
        return
    if typ in ("string", "Duration"):
        if not isinstance(value, str):
            errors.append(f"{path}: want a string, got {type(value).__name__}")
        elif typ == "Duration" and not re.match(r"^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$", value):
            errors.append(f"{path}: {value!r} is not a duration")
        return
    if typ == "bool":
        if not isinstance(value, bool):
            errors.append(f"{path}: want a bool, got {type(value).__name__}")
        return
    if typ in ("int32", "int"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: want an integer, got {type(value).__name__}")
        return
    if typ not in types:
        errors.append(f"{path}: schema has no type {typ}")
        return
    if not isinstance(value, dict):
        errors.append(f"{path}: want an object ({typ}), got {type(value).__name__}")
        return
    fields = {name.rstrip("!"): (ftype, name.endswith("!")) for name, ftype in types[typ].items()}
    for key, item in value.items():
        if key not in fields:
            errors.append(f'{path}: strict decoding error: unknown field "{key}" in {typ}')
            continue
        _check_value(item, fields[key][0], types, f"{path}.{key}", errors)
    for key, (_, required) in fields.items():
        if required and key not in value:
            errors.append(f"{path}: required field {key} missing in {typ}")


def document_errors(doc: Any, schema: dict) -> list[str]:
    """Errors of one config document against the schema ([] when it is valid)."""
    if not isinstance(doc, dict):
        return ["document is not a mapping"]
    api, kind = doc.get("apiVersion"), doc.get("kind")
    if api not in schema:
        return [f"no kind {kind!r} is registered for version {api!r}"]
    kinds = schema[api]["kinds"]
    if kind not in kinds:
        return [f'no kind "{kind}" is registered for version "{api}"']
    errors: list[str] = []
    _check_value(doc, kinds[kind], schema[api]["types"], kind, errors)
    return errors


# ---------------------------------------------------------------------------------------------
# State shared by the scenario's nodes, and the per-node call log


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def cluster():
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    path = STATE_DIR / "cluster.json"
    with open(STATE_DIR / "cluster.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(path.read_text()) if path.exists() else {}
        yield state
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        tmp.replace(path)


def read_cluster() -> dict:
    path = STATE_DIR / "cluster.json"
    return json.loads(path.read_text()) if path.exists() else {}


def record(entry: dict) -> None:
    entry = {"host": socket.gethostname(), **entry}
    CALL_LOG.parent.mkdir(parents=True, exist_ok=True)
    with CALL_LOG.open("a") as out:
        out.write(json.dumps(entry, sort_keys=True) + "\n")
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with (STATE_DIR / "calls.jsonl").open("a") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        out.write(json.dumps(entry, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------------
# Helpers


def _load_config(path: str) -> list[dict]:
    import yaml  # python3-yaml: installed by the scenario for the double only

    try:
        docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d is not None]
    except (OSError, yaml.YAMLError) as exc:
        raise DoubleError(f"unable to read config from {path!r}: {exc}") from exc
    schema = json.loads(SCHEMA_JSON)
    errors = [e for d in docs for e in document_errors(d, schema)]
    if errors:
        raise DoubleError(f"{path}: " + "; ".join(errors))
    return docs


def _doc(docs: list[dict], kind: str) -> dict | None:
    found = [d for d in docs if d.get("kind") == kind]
    if len(found) > 1:
        raise DoubleError(f"found multiple {kind} documents")
    return found[0] if found else None


def _flags(argv: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    positional, flags = [], {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-"):
            name, sep, value = arg.partition("=")
            if (
                not sep
                and i + 1 < len(argv)
                and not argv[i + 1].startswith("-")
                and name
                not in (
                    "--upload-certs",
                    "--force",
                    "-f",
                    "--print-join-command",
                    "--dry-run",
                    "--control-plane",
                    "--cleanup-tmp-dir",
                    "--yes",
                    "-y",
                    "--ignore-daemonsets",
                    "--delete-emptydir-data",
                )
            ):
                value = argv[i + 1]
                i += 1
            flags.setdefault(name, []).append(value)
        else:
            positional.append(arg)
        i += 1
    return positional, flags


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.lstrip("v").split("."))


def _run(argv: list[str]) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DoubleError(f"{' '.join(argv)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def _cri_check(socket_uri: str) -> None:
    """Preflight as kubeadm does it: the container runtime must answer on its socket."""
    path = socket_uri.removeprefix("unix://")
    if not Path(path).exists():
        raise DoubleError(f"[preflight] container runtime is not running: {path} does not exist")
    _run(["ctr", "--address", path, "version"])


def _ca_hash() -> str:
    der = subprocess.run(
        ["openssl", "x509", "-in", str(PKI / "ca.crt"), "-noout", "-pubkey"],
        capture_output=True,
        check=True,
    ).stdout
    spki = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=der, capture_output=True, check=True
    ).stdout
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def _kubeconfig(path: Path, endpoint: str, user: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# written by the kubeadm TEST DOUBLE (tests/doubles/k8s_double.py)\n"
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- cluster:\n    server: https://{endpoint}\n  name: kubernetes\n"
        "contexts:\n- context:\n    cluster: kubernetes\n"
        f"    user: {user}\n  name: {user}@kubernetes\n"
        f"current-context: {user}@kubernetes\n"
        f"users:\n- name: {user}\n  user:\n    token: double-not-a-credential\n"
    )
    path.chmod(0o600)


def _kubelet_start(kubelet_config: dict | None, node_ip: str | None) -> None:
    import yaml

    KUBELET_DIR.mkdir(parents=True, exist_ok=True)
    (KUBELET_DIR / "config.yaml").write_text(yaml.safe_dump(kubelet_config or {}))
    flags = f"--node-ip={node_ip}" if node_ip else ""
    (KUBELET_DIR / "kubeadm-flags.env").write_text(f'KUBELET_KUBEADM_ARGS="{flags}"\n')
    _run(["systemctl", "restart", "kubelet"])


def _manifests(names: list[str]) -> None:
    (ETC / "manifests").mkdir(parents=True, exist_ok=True)
    for name in names:
        (ETC / "manifests" / f"{name}.yaml").write_text(
            f"# static pod {name}: written by the kubeadm TEST DOUBLE; nothing runs it\n"
        )


def _node_ip(reg: dict) -> str | None:
    args = reg.get("kubeletExtraArgs") or []
    if isinstance(args, dict):
        return args.get("node-ip")
    return next((a["value"] for a in args if a.get("name") == "node-ip"), None)


def _new_token(state: dict, ttl: timedelta, description: str, usages: list[str]) -> str:
    token = f"{secrets.token_hex(3)}.{secrets.token_hex(8)}"
    state.setdefault("tokens", []).append(
        {
            "token": token,
            "description": description,
            "expires": _iso(_now() + ttl) if ttl.total_seconds() > 0 else None,
            "usages": usages,
        }
    )
    return token


def _parse_ttl(text: str) -> timedelta:
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(h|m|s)", text):
        total += float(number) * {"h": 3600, "m": 60, "s": 1}[unit]
    return timedelta(seconds=total)


def _need_admin(flags: dict) -> None:
    kubeconfig = (flags.get("--kubeconfig") or [str(ETC / "admin.conf")])[-1]
    if not Path(kubeconfig).exists():
        raise DoubleError(f"failed to load admin kubeconfig: open {kubeconfig}: no such file")


# ---------------------------------------------------------------------------------------------
# kubeadm


def kubeadm_init(argv: list[str], flags: dict) -> str:
    if "--config" not in flags:
        raise DoubleError("the double supports kubeadm init only with --config")
    _check_mix(flags)
    docs = _load_config(flags["--config"][-1])
    init = _doc(docs, "InitConfiguration") or {}
    cfg = _doc(docs, "ClusterConfiguration")
    if cfg is None:
        raise DoubleError("kubeadm init needs a ClusterConfiguration")
    want = cfg.get("kubernetesVersion", VERSION)
    if _version_tuple(want)[:2] > _version_tuple(VERSION)[:2]:
        raise DoubleError(
            f"this version of kubeadm only supports deploying clusters with the "
            f"control plane version <= {VERSION}, got {want}"
        )
    for path in (ETC / "manifests/kube-apiserver.yaml", ETC / "kubelet.conf"):
        if path.exists():
            raise DoubleError(
                f"[preflight] FileAvailable--{str(path)[1:].replace('/', '-')}: "
                f"{path} already exists"
            )
    reg = init.get("nodeRegistration") or {}
    _cri_check(reg.get("criSocket") or "unix:///run/containerd/containerd.sock")
    endpoint = cfg.get("controlPlaneEndpoint") or ""
    if "--upload-certs" in flags and not endpoint:
        raise DoubleError("--upload-certs needs a stable controlPlaneEndpoint")
    name = reg.get("name") or socket.gethostname()
    with cluster() as state:
        if state.get("initialized_by"):
            raise DoubleError(
                f"TEST DOUBLE: a cluster was already initialised by {state['initialized_by']}; "
                "a second kubeadm init would create a second cluster"
            )
        PKI.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "3650",
                "-subj",
                "/CN=kubernetes",
                "-keyout",
                str(PKI / "ca.key"),
                "-out",
                str(PKI / "ca.crt"),
            ]
        )
        (PKI / "ca.key").chmod(0o600)
        for user, conf in (
            ("kubernetes-admin", "admin.conf"),
            ("system:node", "kubelet.conf"),
            ("kubernetes-super-admin", "super-admin.conf"),
        ):
            _kubeconfig(ETC / conf, endpoint, user)
        etcd = cfg.get("etcd") or {}
        _manifests(
            ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
            + (["etcd"] if "external" not in etcd else [])
        )
        state.update(
            initialized_by=name,
            endpoint=endpoint,
            version=want,
            ca_pem=(PKI / "ca.crt").read_text(),
            ca_key_pem=(PKI / "ca.key").read_text(),
            ca_hash=_ca_hash(),
            etcd="external" if "external" in etcd else "stacked",
            etcd_members=[] if "external" in etcd else [name],
            cluster_configuration=cfg,
            kubelet_configuration=_doc(docs, "KubeletConfiguration"),
        )
        state.setdefault("nodes", {})[name] = _node_record("control-plane", want)
        token = _new_token(
            state,
            timedelta(hours=24),
            "The default bootstrap token generated by 'kubeadm init'.",
            ["signing", "authentication"],
        )
        key = ""
        if "--upload-certs" in flags:
            key = init.get("certificateKey") or secrets.token_hex(32)
            state["certificate_key"] = {"key": key, "expires": _iso(_now() + CERTS_SECRET_TTL)}
    _kubelet_start(_doc(docs, "KubeletConfiguration"), _node_ip(reg))
    cmd = f"kubeadm join {endpoint} --token {token} --discovery-token-ca-cert-hash {_ca_hash()}"
    out = "Your Kubernetes control-plane has initialized successfully! (TEST DOUBLE)\n"
    if key:
        out += f"\n  {cmd} \\\n\t--control-plane --certificate-key {key}\n"
    return out + f"\n{cmd}\n"


def _node_record(role: str, version: str) -> dict:
    return {"role": role, "version": version, "schedulable": True, "joined": _iso(_now())}


def _check_mix(flags: dict) -> None:
    if "--config" in flags:
        mixed = sorted(f for f in flags if f not in MIXABLE and not f.startswith("--skip-"))
        if mixed:
            raise DoubleError(f"can not mix '--config' with arguments {mixed}")


def kubeadm_join(positional: list[str], flags: dict) -> str:
    _check_mix(flags)
    if "--config" in flags:
        if positional:
            raise DoubleError(f"can not mix '--config' with arguments {positional}")
        docs = _load_config(flags["--config"][-1])
        join = _doc(docs, "JoinConfiguration")
        if join is None:
            raise DoubleError("the config file has no JoinConfiguration")
    else:
        join = {
            "discovery": {
                "bootstrapToken": {
                    "apiServerEndpoint": positional[0] if positional else "",
                    "token": (flags.get("--token") or [""])[-1],
                    "caCertHashes": flags.get("--discovery-token-ca-cert-hash", []),
                }
            },
        }
        if "--control-plane" in flags:
            join["controlPlane"] = {"certificateKey": (flags.get("--certificate-key") or [""])[-1]}
    control_plane = join.get("controlPlane") is not None
    if control_plane and not (join.get("controlPlane") or {}).get("certificateKey"):
        raise DoubleError(
            "[preflight] a control-plane join needs the certificate key "
            "(controlPlane.certificateKey or --certificate-key): without it the shared "
            "certificates (ca.key, sa.key, front-proxy, etcd CA) are missing on this node"
        )
    for path in (ETC / "kubelet.conf", PKI / "ca.crt"):
        if path.exists():
            raise DoubleError(
                f"[preflight] FileAvailable--{str(path)[1:].replace('/', '-')}: "
                f"{path} already exists"
            )
    reg = join.get("nodeRegistration") or {}
    _cri_check(reg.get("criSocket") or "unix:///run/containerd/containerd.sock")
    discovery = (join.get("discovery") or {}).get("bootstrapToken")
    if not discovery:
        raise DoubleError("the double supports only bootstrap-token discovery")
    name = reg.get("name") or socket.gethostname()
    with cluster() as state:
        if not state.get("initialized_by"):
            raise DoubleError("couldn't validate the identity of the API Server: no cluster")
        if discovery.get("apiServerEndpoint") != state["endpoint"]:
            raise DoubleError(
                f"unable to fetch cluster-info from "
                f"{discovery.get('apiServerEndpoint')!r}: no API server there"
            )
        token = discovery.get("token", "")
        if not TOKEN_RE.match(token):
            raise DoubleError(
                f"the bootstrap token {token!r} was not of the form "
                r"'^([a-z0-9]{6})\.([a-z0-9]{16})$'"
            )
        known = {t["token"]: t for t in state.get("tokens", [])}
        if token not in known:
            raise DoubleError(
                "couldn't validate the identity of the API Server: token id "
                f"{token.split('.')[0]!r} is invalid for this cluster or it has expired"
            )
        expires = known[token].get("expires")
        if expires and datetime.fromisoformat(expires.replace("Z", "+00:00")) <= _now():
            raise DoubleError(
                f"couldn't validate the identity of the API Server: token "
                f"{token.split('.')[0]!r} has expired"
            )
        pins = discovery.get("caCertHashes") or []
        if not pins and not discovery.get("unsafeSkipCAVerification"):
            raise DoubleError(
                "using token-based discovery without caCertHashes can be unsafe; "
                "set unsafeSkipCAVerification"
            )
        if pins and state["ca_hash"] not in pins:
            raise DoubleError(
                f"cluster CA found in cluster-info ConfigMap is invalid: none of "
                f"the public keys {state['ca_hash']!r} are pinned"
            )
        if name in state.get("nodes", {}):
            raise DoubleError(
                f'a Node with name {name!r} and status "Ready" already exists '
                "in the cluster. You must delete the existing Node or change the "
                "name of this new joining Node"
            )
        if control_plane:
            key = (join.get("controlPlane") or {}).get("certificateKey") or ""
            stored = state.get("certificate_key") or {}
            if (
                not stored
                or datetime.fromisoformat(stored["expires"].replace("Z", "+00:00")) <= _now()
            ):
                raise DoubleError(
                    'error downloading certs: Secret "kubeadm-certs" was not '
                    'found in the "kube-system" Namespace (expired or never '
                    "uploaded)"
                )
            if key != stored["key"]:
                raise DoubleError(
                    "error downloading certs: error decoding certificate key: "
                    "cipher: message authentication failed"
                )
        PKI.mkdir(parents=True, exist_ok=True)
        (PKI / "ca.crt").write_text(state["ca_pem"])
        _kubeconfig(ETC / "kubelet.conf", state["endpoint"], "system:node")
        if control_plane:
            (PKI / "ca.key").write_text(state["ca_key_pem"])
            (PKI / "ca.key").chmod(0o600)
            _kubeconfig(ETC / "admin.conf", state["endpoint"], "kubernetes-admin")
            stacked = state.get("etcd") == "stacked"
            _manifests(
                ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
                + (["etcd"] if stacked else [])
            )
            if stacked:
                state.setdefault("etcd_members", []).append(name)
        state.setdefault("nodes", {})[name] = _node_record(
            "control-plane" if control_plane else "worker", state["version"]
        )
        kubelet_configuration = state.get("kubelet_configuration")
    _kubelet_start(kubelet_configuration, _node_ip(reg))
    # A slow join, like the real one: lets the scenario prove that joins never overlap.
    time.sleep(float(os.environ.get("HACTL_K8S_DOUBLE_JOIN_DELAY", "1")))
    return "This node has joined the cluster (TEST DOUBLE).\n"


def kubeadm_token(positional: list[str], flags: dict) -> str:
    _need_admin(flags)
    sub = positional[0] if positional else "list"
    with cluster() as state:
        if not state.get("initialized_by"):
            raise DoubleError("no cluster: run kubeadm init first")
        if sub == "create":
            ttl = _parse_ttl((flags.get("--ttl") or ["24h"])[-1])
            usages = ",".join(flags.get("--usages") or ["signing,authentication"]).split(",")
            token = _new_token(state, ttl, (flags.get("--description") or [""])[-1], usages)
            if "--print-join-command" in flags:
                return (
                    f"kubeadm join {state['endpoint']} --token {token} "
                    f"--discovery-token-ca-cert-hash {state['ca_hash']}\n"
                )
            return token + "\n"
        if sub == "list":
            out = []
            for t in state.get("tokens", []):
                obj = {
                    "kind": "BootstrapToken",
                    "apiVersion": "output.kubeadm.k8s.io/v1alpha3",
                    "creationTimestamp": None,
                    **{k: v for k, v in t.items() if v is not None},
                    "groups": ["system:bootstrappers:kubeadm:default-node-token"],
                }
                out.append(json.dumps(obj, indent=4))
            if (flags.get("-o") or flags.get("--output") or ["text"])[-1] == "json":
                return "\n".join(out) + ("\n" if out else "")
            return "".join(f"{t['token']}  {t.get('expires')}\n" for t in state.get("tokens", []))
        if sub == "delete":
            state["tokens"] = [
                t for t in state.get("tokens", []) if t["token"] not in positional[1:]
            ]
            return "bootstrap token deleted\n"
    raise DoubleError(f"unknown token command {sub!r}")


def kubeadm_upload_certs(flags: dict) -> str:
    _need_admin(flags)
    if "--upload-certs" not in flags:
        return "[upload-certs] Skipping phase. Please see --upload-certs\n"
    key = (flags.get("--certificate-key") or [""])[-1] or secrets.token_hex(32)
    if not KEY_RE.match(key):
        raise DoubleError("invalid certificate key: want 32 bytes, hex encoded")
    if "--config" in flags:
        _load_config(flags["--config"][-1])
    with cluster() as state:
        state["certificate_key"] = {"key": key, "expires": _iso(_now() + CERTS_SECRET_TTL)}
    return (
        '[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the '
        '"kube-system" Namespace\n[upload-certs] Using certificate key:\n' + key + "\n"
    )


def kubeadm_reset(flags: dict) -> str:
    if not ({"-f", "--force"} & set(flags)):
        raise DoubleError("reset needs --force in a non-interactive run")
    name = socket.gethostname()
    for path in (ETC / "manifests", PKI):
        shutil.rmtree(path, ignore_errors=True)
    for conf in ETC.glob("*.conf"):
        conf.unlink()
    for path in (KUBELET_DIR / "config.yaml", KUBELET_DIR / "kubeadm-flags.env"):
        path.unlink(missing_ok=True)
    with cluster() as state:
        # kubeadm reset removes a stacked etcd member; the Node object stays (kubectl delete node)
        if name in state.get("etcd_members", []):
            state["etcd_members"].remove(name)
    subprocess.run(["systemctl", "stop", "kubelet"], check=False)
    return "[reset] done (TEST DOUBLE)\n"


def kubeadm_upgrade(positional: list[str], flags: dict) -> str:
    sub = positional[0] if positional else ""
    if sub == "plan":
        _need_admin(flags)
        state = read_cluster()
        return f"Upgrade available: {state.get('version')} -> {VERSION}\n"
    if sub == "apply":
        _need_admin(flags)
        target = positional[1] if len(positional) > 1 else VERSION
        if _version_tuple(target) > _version_tuple(VERSION):
            raise DoubleError(f"the kubeadm binary ({VERSION}) is older than the target {target}")
        # The control plane moves to the target; each node's kubelet release only when that
        # kubelet restarts on the new binary (see kubelet()), as with the real kubeadm.
        with cluster() as state:
            state["version"] = target
            state.setdefault("upgrades", []).append(target)
        return f'[upgrade/successful] SUCCESS! Your cluster was upgraded to "{target}".\n'
    if sub == "node":
        state = read_cluster()
        if socket.gethostname() not in state.get("nodes", {}):
            raise DoubleError("this node is not part of the cluster (no Node object)")
        if _version_tuple(state["version"]) > _version_tuple(VERSION):
            raise DoubleError(f"kubeadm {VERSION} is older than the cluster ({state['version']})")
        return "[upgrade] The configuration for this node was successfully updated!\n"
    raise DoubleError(f"unknown upgrade command {sub!r}")


def kubeadm_certs(positional: list[str], flags: dict) -> str:
    sub = positional[0] if positional else ""
    if sub == "certificate-key":
        return secrets.token_hex(32) + "\n"
    if sub == "check-expiration":
        if not (PKI / "ca.crt").exists():
            raise DoubleError("no certificates: not a control-plane node")
        end = _run(["openssl", "x509", "-in", str(PKI / "ca.crt"), "-noout", "-enddate"])
        return f"CERTIFICATE AUTHORITY   EXPIRES\nca   {end.strip().split('=', 1)[1]}\n"
    if sub == "renew":
        return f"certificates renewed: {' '.join(positional[1:])} (TEST DOUBLE)\n"
    raise DoubleError(f"unknown certs command {sub!r}")


def kubeadm(argv: list[str]) -> str:
    positional, flags = _flags(argv)
    cmd = positional[0] if positional else ""
    rest = positional[1:]
    if cmd == "version":
        if (flags.get("-o") or flags.get("--output") or [""])[-1] == "short":
            return VERSION + "\n"
        return f'kubeadm version: &version.Info{{GitVersion:"{VERSION}", Double:"hactl"}}\n'
    if cmd == "init" and rest[:2] == ["phase", "upload-certs"]:
        return kubeadm_upload_certs(flags)
    handlers = {
        "init": lambda: kubeadm_init(rest, flags),
        "join": lambda: kubeadm_join(rest, flags),
        "token": lambda: kubeadm_token(rest, flags),
        "reset": lambda: kubeadm_reset(flags),
        "upgrade": lambda: kubeadm_upgrade(rest, flags),
        "certs": lambda: kubeadm_certs(rest, flags),
    }
    if cmd not in handlers:
        raise DoubleError(f"unknown command {cmd!r} for kubeadm (TEST DOUBLE)")
    return handlers[cmd]()


# ---------------------------------------------------------------------------------------------
# kubelet and kubectl


def kubelet(argv: list[str]) -> int:
    if "--version" in argv:
        print(f"Kubernetes {VERSION}")
        return 0
    config = next((a.split("=", 1)[1] for a in argv if a.startswith("--config=")), "")
    if not config or not Path(config).exists():
        print(
            f"E kubelet (TEST DOUBLE): failed to load kubelet config file {config!r}: "
            "no such file (kubeadm has not run yet)",
            file=sys.stderr,
        )
        return 1
    import yaml

    cfg = yaml.safe_load(Path(config).read_text()) or {}
    endpoint = cfg.get("containerRuntimeEndpoint") or "unix:///run/containerd/containerd.sock"
    try:
        _cri_check(endpoint)
        dump = _run(["containerd", "config", "dump"])
    except DoubleError as exc:
        print(f"E kubelet (TEST DOUBLE): {exc}", file=sys.stderr)
        return 1
    if cfg.get("cgroupDriver") == "systemd" and not re.search(r"SystemdCgroup\s*=\s*true", dump):
        print(
            "E kubelet (TEST DOUBLE): cgroupDriver systemd but containerd's runc uses "
            "cgroupfs (SystemdCgroup = false)",
            file=sys.stderr,
        )
        return 1
    # A registered node reports the release of the kubelet that runs on it (kubeletVersion).
    with cluster() as state:
        node = state.get("nodes", {}).get(socket.gethostname())
        if node is not None:
            node["version"] = VERSION
    print(f"I kubelet (TEST DOUBLE) {VERSION}: running against {endpoint}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


def kubectl(argv: list[str]) -> str:
    positional, flags = _flags(argv)
    _need_admin(flags)
    state = read_cluster()
    if not state.get("initialized_by"):
        raise DoubleError("The connection to the server was refused")
    verb = positional[0] if positional else ""
    if verb == "version":
        return json.dumps({"serverVersion": {"gitVersion": state["version"]}}) + "\n"
    if verb == "get" and "--raw" in flags:
        if flags["--raw"][-1] in ("/readyz", "/livez", "/healthz"):
            return "ok"
        raise DoubleError(f"the server could not find the requested resource {flags['--raw']}")
    if verb == "get" and positional[1:2] in (["nodes"], ["node"]):
        items = []
        for name, node in sorted(state.get("nodes", {}).items()):
            if positional[2:] and name not in positional[2:]:
                continue
            labels = {"kubernetes.io/hostname": name}
            if node["role"] == "control-plane":
                labels["node-role.kubernetes.io/control-plane"] = ""
            items.append(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": name, "labels": labels},
                    "spec": {} if node["schedulable"] else {"unschedulable": True},
                    "status": {
                        "conditions": [{"type": "Ready", "status": "True"}],
                        "nodeInfo": {"kubeletVersion": node["version"]},
                    },
                }
            )
        if positional[2:] and not items:
            raise DoubleError(f'nodes "{positional[2]}" not found')
        if len(positional) == 3:  # one named node: kubectl prints the object itself
            return json.dumps(items[0]) + "\n"
        return json.dumps({"apiVersion": "v1", "kind": "List", "items": items}) + "\n"
    if verb in ("cordon", "uncordon", "drain") and len(positional) > 1:
        with cluster() as st:
            node = st.get("nodes", {}).get(positional[1])
            if node is None:
                raise DoubleError(f'nodes "{positional[1]}" not found')
            node["schedulable"] = verb == "uncordon"
        return f"node/{positional[1]} {verb}ed\n"
    if verb == "delete" and positional[1:2] == ["node"] and len(positional) > 2:
        with cluster() as st:
            if st.get("nodes", {}).pop(positional[2], None) is None:
                raise DoubleError(f'nodes "{positional[2]}" not found')
        return f'node "{positional[2]}" deleted\n'
    raise DoubleError(f"kubectl (TEST DOUBLE) does not know {' '.join(argv)!r}")


def main() -> int:
    program = Path(sys.argv[0]).name
    argv = sys.argv[1:]
    if program == "kubelet":
        return kubelet(argv)
    started = _iso(_now())
    entry: dict[str, Any] = {"program": program, "argv": argv, "time": started}
    try:
        if program == "kubeadm":
            configs = [v for k, vs in _flags(argv)[1].items() if k == "--config" for v in vs]
            entry["configs"] = {p: Path(p).read_text() for p in configs if Path(p).exists()}
            out = kubeadm(argv)
        elif program == "kubectl":
            out = kubectl(argv)
        else:
            raise DoubleError(f"TEST DOUBLE called as unknown program {program!r}")
    except DoubleError as exc:
        entry.update(rc=1, error=str(exc))
        record(entry)
        print(f"error execution phase (TEST DOUBLE): {exc}", file=sys.stderr)
        return 1
    entry.update(rc=0, end=_iso(_now()))
    record(entry)
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
