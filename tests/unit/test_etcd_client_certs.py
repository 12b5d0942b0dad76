"""External etcd: control planes outside the etcd group get a client certificate of the etcd CA.

Runs the etcd role's pki_clients.yml (included by pki.yml) for real with local connections: the
key is made where it is used (0600), the certificate is signed by the CA, lands at the paths
kubeadm's etcd.external reads, members are left to pki.yml, and a second run changes nothing.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the role sets owner root on its files")

PLAYBOOK = """\
- name: Issue the etcd client certificates
  hosts: etcd
  gather_facts: false
  tasks:
    - name: Read the CA certificate
      ansible.builtin.slurp:
        src: "{{ etcd_pki_dir }}/ca.crt"
      delegate_to: etcd-1
      run_once: true
      register: __etcd_ca_crt

    - name: Issue the client certificates
      ansible.builtin.include_role:
        name: etcd
        tasks_from: pki_clients
"""


def _inventory(tmp: Path) -> str:
    return f"""\
all:
  children:
    etcd:
      hosts:
        etcd-1: {{etcd_pki_dir: {tmp}/etcd-1}}
        cp-2: {{etcd_pki_dir: {tmp}/cp-2}}
    control_plane:
      hosts:
        cp-1: {{etcd_pki_dir: {tmp}/cp-1}}
        cp-2: {{}}
  vars:
    ansible_connection: local
    ansible_python_interpreter: {sys.executable}
    hactl_etcd_topology: external
"""


def _make_ca(pki: Path) -> x509.Certificate:
    pki.mkdir(parents=True)
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hactl-etcd-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (pki / "ca.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (pki / "ca.key").chmod(0o600)
    (pki / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def _play(repo: Path, tmp: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    (tmp / "hosts.yml").write_text(_inventory(tmp))
    (tmp / "play.yml").write_text(PLAYBOOK)
    return subprocess.run(
        [
            "ansible-playbook",
            "-i",
            str(tmp / "hosts.yml"),
            str(tmp / "play.yml"),
            # The library is in the venv the modules run with; no package manager here.
            "-e",
            '{"__etcd_crypto_packages": []}',
        ],
        cwd=repo,
        env={
            **env,
            "ANSIBLE_CONFIG": str(repo / "ansible.cfg"),
            "ANSIBLE_ROLES_PATH": str(repo / "roles"),
            "ANSIBLE_FILTER_PLUGINS": str(repo / "plugins/filter"),
            "ANSIBLE_CACHE_PLUGIN": "memory",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _changed(out: str) -> int:
    return sum(int(n) for n in re.findall(r"changed=(\d+)", out))


def test_control_plane_outside_etcd_gets_a_client_certificate(
    repo: Path, tmp_path: Path, tool_env
) -> None:
    ca = _make_ca(tmp_path / "etcd-1")
    proc = _play(repo, tmp_path, tool_env)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    pki = tmp_path / "cp-1"
    key_path, crt_path = pki / "client.key", pki / "client.crt"
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert (pki / "ca.crt").read_bytes() == (tmp_path / "etcd-1/ca.crt").read_bytes()

    cert = x509.load_pem_x509_certificate(crt_path.read_bytes())
    cert.verify_directly_issued_by(ca)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "hactl-etcd-client"

    # The CA key stayed on the CA host; members (cp-2) get theirs from pki.yml, not from here.
    assert not (pki / "ca.key").exists()
    assert not (tmp_path / "cp-2").exists()

    again = _play(repo, tmp_path, tool_env)
    assert again.returncode == 0, again.stdout[-4000:]
    assert _changed(again.stdout) == 0, again.stdout[-4000:]
    assert crt_path.read_bytes() == cert.public_bytes(serialization.Encoding.PEM)
