"""kubeadm config rendering (plugins/filter/kubeadm_filters.py) against kubeadm's API types.

Every topology and API version is rendered and each document checked against the field names
and types of kubeadm's upstream Go types (tests/data/kubeadm_api_schema.yml) by the same checker
the kubeadm test double uses, plus the semantic rules hactl promises.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.loading import load_source

REPO = Path(__file__).resolve().parents[2]


kf = load_source("kubeadm_filters", REPO / "plugins/filter/kubeadm_filters.py")
double = load_source("k8s_double", REPO / "tests/doubles/k8s_double.py")
SCHEMA = yaml.safe_load((REPO / "tests/data/kubeadm_api_schema.yml").read_text())

VIP = "10.20.0.100"
JOIN = {
    "token": "abcdef.0123456789abcdef",
    "ca_cert_hashes": ["sha256:" + "a" * 64],
    "certificate_key": "b" * 64,
}


def params(version: str = "1.31.4", topology: str = "stacked", **over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "version": version,
        "endpoint_host": VIP,
        "endpoint_port": 8443,
        "cert_sans": ["k8s-api.example.test", "lb-1", VIP],
        "etcd_topology": topology,
        "pod_subnet": "10.244.0.0/16",
        "service_subnet": "10.96.0.0/12",
        "node_name": "cp-1",
        "node_ip": "10.20.0.11",
        "advertise_address": "10.20.0.11",
        "bind_port": 6443,
        "certificate_key": "c" * 64,
        "apiserver_extra_args": {"audit-log-maxage": "30"},
        "kubelet_extra_args": {},
        "join": JOIN,
        "control_plane": True,
    }
    if topology == "external":
        p.update(
            etcd_endpoints=["https://10.20.0.31:2379", "https://10.20.0.32:2379"],
            etcd_ca_file="/etc/etcd/pki/ca.crt",
            etcd_cert_file="/etc/etcd/pki/client.crt",
            etcd_key_file="/etc/etcd/pki/client.key",
        )
    p.update(over)
    return p


CASES = [
    (version, topology, kind, cp)
    for version in ("1.29.10", "1.30.6", "1.31.4", "1.33.1")
    for topology in ("stacked", "external")
    for kind, cp in (("init", True), ("join", True), ("join", False))
]


@pytest.mark.parametrize(("version", "topology", "kind", "control_plane"), CASES)
def test_every_document_matches_the_kubeadm_api(
    version: str, topology: str, kind: str, control_plane: bool
) -> None:
    text = kf.config_yaml(params(version, topology, control_plane=control_plane), kind)
    docs = [d for d in yaml.safe_load_all(text) if d]
    assert docs
    for doc in docs:
        assert double.document_errors(doc, SCHEMA) == [], doc["kind"]
    api = "kubeadm.k8s.io/v1beta4" if int(version.split(".")[1]) >= 31 else "kubeadm.k8s.io/v1beta3"
    assert {d["apiVersion"] for d in docs if d["kind"] != "KubeletConfiguration"} == {api}


@pytest.mark.parametrize("topology", ["stacked", "external"])
@pytest.mark.parametrize("version", ["1.30.6", "1.31.4"])
def test_cluster_configuration_semantics(version: str, topology: str) -> None:
    docs = kf.config_documents(params(version, topology), "init")
    init, cluster, kubelet = docs
    assert [d["kind"] for d in docs] == [
        "InitConfiguration",
        "ClusterConfiguration",
        "KubeletConfiguration",
    ]
    assert cluster["controlPlaneEndpoint"] == f"{VIP}:8443"
    sans = cluster["apiServer"]["certSANs"]
    assert sans[0] == VIP and "k8s-api.example.test" in sans and sans.count(VIP) == 1
    assert cluster["kubernetesVersion"] == f"v{version}"
    assert cluster["networking"] == {
        "podSubnet": "10.244.0.0/16",
        "serviceSubnet": "10.96.0.0/12",
        "dnsDomain": "cluster.local",
    }
    if topology == "external":
        ext = cluster["etcd"]["external"]
        assert "local" not in cluster["etcd"]
        assert ext["endpoints"] == ["https://10.20.0.31:2379", "https://10.20.0.32:2379"]
        assert (ext["caFile"], ext["certFile"], ext["keyFile"]) == (
            "/etc/etcd/pki/ca.crt",
            "/etc/etcd/pki/client.crt",
            "/etc/etcd/pki/client.key",
        )
    else:
        assert cluster["etcd"] == {"local": {"dataDir": "/var/lib/etcd"}}
    assert init["localAPIEndpoint"] == {"advertiseAddress": "10.20.0.11", "bindPort": 6443}
    assert init["certificateKey"] == "c" * 64
    assert init["nodeRegistration"]["criSocket"] == "unix:///run/containerd/containerd.sock"
    assert kubelet["cgroupDriver"] == "systemd"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.31.4", [{"name": "audit-log-maxage", "value": "30"}]),
        ("1.30.6", {"audit-log-maxage": "30"}),
    ],
)
def test_extra_args_shape_follows_the_api_version(version: str, expected: Any) -> None:
    cluster = kf.cluster_configuration(params(version))
    assert cluster["apiServer"]["extraArgs"] == expected


def test_control_plane_join_carries_certificate_key_and_pins() -> None:
    (join,) = kf.config_documents(params(control_plane=True), "join")
    assert join["controlPlane"]["certificateKey"] == JOIN["certificate_key"]
    assert join["controlPlane"]["localAPIEndpoint"]["advertiseAddress"] == "10.20.0.11"
    boot = join["discovery"]["bootstrapToken"]
    assert boot == {
        "apiServerEndpoint": f"{VIP}:8443",
        "token": JOIN["token"],
        "caCertHashes": JOIN["ca_cert_hashes"],
    }
    (worker,) = kf.config_documents(params(control_plane=False), "join")
    assert "controlPlane" not in worker


def test_ipv6_endpoint_is_bracketed() -> None:
    cluster = kf.cluster_configuration(params(endpoint_host="fd00::100", cert_sans=[]))
    assert cluster["controlPlaneEndpoint"] == "[fd00::100]:8443"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"version": "1.31"}, "not of the form"),
        ({"version": "1.27.3"}, "not supported"),
        ({"version": "2.31.0"}, "not supported"),
        ({"endpoint_host": ""}, "hactl_api_vip"),
        ({"endpoint_host": "bad_name!"}, "hactl_api_vip"),
        ({"endpoint_port": 70000}, "not a TCP port"),
        ({"etcd_topology": "sideways"}, "not one of stacked, external"),
        ({"pod_subnet": "10.96.0.0/16"}, "overlaps"),
        ({"service_subnet": "10.96.0.1/12"}, "CIDR"),
        ({"cert_sans": ["ok.example", "no spaces"]}, "certSAN"),
        ({"etcd_topology": "external", "etcd_endpoints": []}, "at least one endpoint"),
        (
            {"etcd_topology": "external", "etcd_endpoints": ["http://e:2379"], "etcd_ca_file": ""},
            "https://",
        ),
    ],
)
def test_config_problems(over: dict, message: str) -> None:
    p = params()
    p.update(over)
    problems = kf.config_problems(p)
    assert any(message in m for m in problems), problems
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        kf.config_documents(p, "init")


def test_valid_params_have_no_problems() -> None:
    assert kf.config_problems(params()) == []
    assert kf.config_problems(params(topology="external")) == []


@pytest.mark.parametrize(
    ("hosts", "allow", "topology", "etcd", "message"),
    [
        (["a", "b", "c"], False, "stacked", None, None),
        (["a", "b", "c", "d", "e"], False, "stacked", None, None),
        (["a"], True, "stacked", None, None),
        (["a"], False, "stacked", None, "HA needs an odd number"),
        (["a", "b"], False, "stacked", None, "HA needs an odd number"),
        (["a", "b", "c", "d"], False, "stacked", None, "HA needs an odd number"),
        ([], True, "stacked", None, "no control-plane hosts"),
        (["a", "b", "c"], False, "external", ["e1", "e2"], "external etcd"),
        (["a", "b", "c"], False, "external", ["e1", "e2", "e3"], None),
    ],
)
def test_cluster_problems(hosts, allow, topology, etcd, message) -> None:
    problems = kf.cluster_problems(hosts, allow, topology, etcd)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("version", "api", "minor"),
    [
        ("1.28.15", "kubeadm.k8s.io/v1beta3", "1.28"),
        ("v1.30.0", "kubeadm.k8s.io/v1beta3", "1.30"),
        ("1.31.0", "kubeadm.k8s.io/v1beta4", "1.31"),
        ("1.33.2", "kubeadm.k8s.io/v1beta4", "1.33"),
    ],
)
def test_api_version_and_minor(version: str, api: str, minor: str) -> None:
    assert kf.api_version(version) == api
    assert kf.minor_version(version) == minor


NOW = "2026-12-03T12:00:00Z"


def _token(token: str, description: str, expires: str | None, usages=None) -> str:
    obj = {"kind": "BootstrapToken", "token": token, "description": description}
    if expires:
        obj["expires"] = expires
    obj["usages"] = usages or ["signing", "authentication"]
    import json

    return json.dumps(obj, indent=4)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([], ""),
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", "2026-12-03T13:00:00Z")], "aaaaaa"),
        # expired, or about to expire: a fresh one is needed
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", "2026-12-03T11:00:00Z")], ""),
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", "2026-12-03T12:05:00Z")], ""),
        # another tool's token is never taken
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "other", "2026-12-03T13:00:00Z")], ""),
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", None)], "aaaaaa"),
        ([_token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", None, ["signing"])], ""),
        (
            [
                _token("aaaaaa.aaaaaaaaaaaaaaaa", "hactl join", "2026-12-03T13:00:00Z"),
                _token("bbbbbb.bbbbbbbbbbbbbbbb", "hactl join", "2026-12-03T14:00:00Z"),
            ],
            "bbbbbb",
        ),
    ],
)
def test_pick_token(tokens: list[str], expected: str) -> None:
    picked = kf.pick_token("\n".join(tokens), "hactl join", NOW, 600)
    assert picked.split(".")[0] == expected if expected else picked == ""


def test_ca_cert_hash_matches_openssl_recipe() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "kubernetes")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    import hashlib

    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert kf.ca_cert_hash(pem) == "sha256:" + hashlib.sha256(spki).hexdigest()


def test_certificate_key_from_upload_certs_output() -> None:
    out = "[upload-certs] Storing the certificates\n[upload-certs] Using certificate key:\n" + (
        "d" * 64
    )
    assert kf.certificate_key_from_output(out) == "d" * 64
    with pytest.raises(ValueError, match="no certificate key"):
        kf.certificate_key_from_output("nothing here")


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ({}, {"leader": "cp-1", "init": "cp-1", "members": [], "join": ["cp-2", "cp-3"]}),
        (
            {"cp-1": {"joined": True, "admin": True}},
            {"leader": "cp-1", "init": "", "members": ["cp-1"], "join": ["cp-2", "cp-3"]},
        ),
        (  # the first node was lost and rebuilt: the cluster lives on; it joins, never inits
            {"cp-2": {"joined": True, "admin": True}, "cp-3": {"joined": True, "admin": True}},
            {"leader": "cp-2", "init": "", "members": ["cp-2", "cp-3"], "join": ["cp-1"]},
        ),
        (
            {h: {"joined": True, "admin": True} for h in ("cp-1", "cp-2", "cp-3")},
            {"leader": "cp-1", "init": "", "members": ["cp-1", "cp-2", "cp-3"], "join": []},
        ),
    ],
)
def test_join_plan(states: dict, expected: dict) -> None:
    assert kf.join_plan(states, ["cp-1", "cp-2", "cp-3"], "cp-1") == expected


def test_join_plan_refuses_members_without_a_leader() -> None:
    with pytest.raises(ValueError, match="recover a control plane first"):
        kf.join_plan({"cp-2": {"joined": True, "admin": False}}, ["cp-1", "cp-2"], "cp-1")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "JoinConfiguration"}, "discovery"),
        (
            {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration", "etcd": {}},
            None,
        ),
        (
            {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration", "etcdd": {}},
            'unknown field "etcdd"',
        ),
        (
            {
                "apiVersion": "kubeadm.k8s.io/v1beta3",
                "kind": "ClusterConfiguration",
                "apiServer": {"extraArgs": [{"name": "a", "value": "b"}]},
            },
            "want a map",
        ),
        (
            {
                "apiVersion": "kubeadm.k8s.io/v1beta4",
                "kind": "InitConfiguration",
                "localAPIEndpoint": {"bindPort": "6443"},
            },
            "want an integer",
        ),
        ({"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "ResetConfiguration"}, "no kind"),
        ({"apiVersion": "kubeadm.k8s.io/v1beta9", "kind": "InitConfiguration"}, "no kind"),
    ],
)
def test_schema_checker_catches_what_kubeadm_rejects(doc: dict, message: str | None) -> None:
    errors = double.document_errors(doc, SCHEMA)
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


def test_filter_module_names_the_filter() -> None:
    table = kf.FilterModule().filters()
    with pytest.raises(Exception, match=r"kubeadm_config_yaml: .*not of the form"):
        table["kubeadm_config_yaml"](params(version="x"), "init")


def test_parse_sha256sums() -> None:
    text = f"{'A' * 64}  kubeadm\n\n# comment\n{'b' * 64} *dist/kubelet\n"
    assert kf.parse_sha256sums(text) == {"kubeadm": "a" * 64, "kubelet": "b" * 64}
    with pytest.raises(ValueError, match="line 1"):
        kf.parse_sha256sums("nothexatall  kubeadm")


def test_member_states_from_delegated_stats() -> None:
    results = [
        {"item": ["cp-1", "kubelet.conf"], "stat": {"exists": True}},
        {"item": ["cp-1", "admin.conf"], "stat": {"exists": True}},
        {"item": ["cp-2", "kubelet.conf"], "stat": {"exists": False}},
        {"item": ["cp-2", "admin.conf"], "stat": {"exists": False}},
        {"item": ["cp-3", "kubelet.conf"], "unreachable": True},
        {"item": ["cp-3", "admin.conf"], "unreachable": True, "stat": {"exists": True}},
    ]
    assert kf.member_states(results) == {
        "cp-1": {"joined": True, "admin": True},
        "cp-2": {"joined": False, "admin": False},
        "cp-3": {"joined": False, "admin": False},
    }


def test_worker_join_needs_no_cluster_settings() -> None:
    p = {
        "version": "1.31.4",
        "endpoint_host": VIP,
        "endpoint_port": 6443,
        "node_name": "w-1",
        "join": JOIN,
        "control_plane": False,
    }
    assert kf.config_problems(p, "join") == []
    (doc,) = kf.config_documents(p, "join")
    assert double.document_errors(doc, SCHEMA) == []


def _nodes(*specs: tuple[str, bool, bool]) -> dict:
    items = []
    for name, cp, ready in specs:
        labels = {"node-role.kubernetes.io/control-plane": ""} if cp else {}
        items.append(
            {
                "metadata": {"name": name, "labels": labels},
                "status": {
                    "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]
                },
            }
        )
    return {"items": items}


@pytest.mark.parametrize(
    ("nodes", "target", "topology", "message"),
    [
        (_nodes(("a", 1, 1), ("b", 1, 1), ("c", 1, 1)), "a", "stacked", None),
        (_nodes(("a", 1, 1), ("b", 1, 0), ("c", 1, 1)), "a", "stacked", "not Ready: b"),
        (_nodes(("a", 1, 1), ("b", 1, 0), ("c", 1, 1)), "a", "stacked", "lose quorum"),
        (_nodes(("a", 1, 1), ("b", 1, 0), ("c", 1, 1)), "a", "external", "not Ready: b"),
        (_nodes(("a", 1, 1), ("b", 1, 1), ("c", 1, 1), ("w", 0, 0)), "w", "stacked", None),
        (
            _nodes(("a", 1, 1), ("b", 1, 1), ("c", 1, 1), ("d", 1, 0), ("e", 1, 1)),
            "a",
            "stacked",
            "not Ready",
        ),
        (
            _nodes(("a", 1, 0), ("b", 1, 1), ("c", 1, 1)),
            "a",
            "stacked",
            None,
        ),  # replacing a lost one
        (_nodes(("w", 0, 1)), "w", "stacked", "no control-plane node"),
    ],
)
def test_disruption_problems(nodes: dict, target: str, topology: str, message: str | None) -> None:
    problems = kf.disruption_problems(nodes, target, topology)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


def test_disruption_problems_quorum_of_five() -> None:
    nodes = _nodes(("a", 1, 1), ("b", 1, 0), ("c", 1, 1), ("d", 1, 1), ("e", 1, 1))
    problems = kf.disruption_problems(nodes, "a", "stacked")
    assert not any("quorum" in p for p in problems)  # 3 of 5 stay healthy
    nodes = _nodes(("a", 1, 1), ("b", 1, 0), ("c", 1, 0), ("d", 1, 1), ("e", 1, 1))
    assert any("quorum" in p for p in kf.disruption_problems(nodes, "a", "stacked"))


def test_config_yaml_takes_str_and_dict_subclasses() -> None:
    class Tagged(str):
        pass

    class TaggedDict(dict):
        pass

    p = TaggedDict(params())
    p["advertise_address"] = Tagged("10.20.0.11")
    p["cert_sans"] = [Tagged("lb-1")]
    text = kf.config_yaml(p, "init")
    assert "advertiseAddress: 10.20.0.11" in text
