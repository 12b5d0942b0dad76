"""Build systemd node images with debootstrap and import them into Docker.

The tag carries a hash of the recipe (release, packages, mirror, the files laid into the image), so
a changed recipe builds a new image and an unchanged one is never rebuilt. Builds of one release
are serialised with a file lock, so parallel test workers can all call ``ensure_image``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hactl.errors import LabError
from hactl.lab import aptcache
from hactl.lab._proc import apt_install, require_root, run

RECIPE_VERSION = 1
IMAGE_REPO = "hactl-node"
RELEASES = ("bookworm", "trixie")
PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3",
    "python3-apt",
    "sudo",
    "iproute2",
    "iputils-ping",
    "procps",
    "ca-certificates",
    "openssh-server",
)
# Files laid into the image: (package resource, path in the image, mode).
IMAGE_FILES = (
    ("apt-proxy-detect", "usr/local/sbin/hactl-apt-proxy-detect", 0o755),
    ("01hactl-apt-proxy.conf", "etc/apt/apt.conf.d/01hactl-apt-proxy", 0o644),
    ("hactl-ssh-host-keys.service", "etc/systemd/system/hactl-ssh-host-keys.service", 0o644),
)
LOCK_DIR = Path("/var/lock/hactl")


@dataclass(frozen=True)
class Mirrors:
    archive: str
    security: str | None


@dataclass(frozen=True)
class ImageResult:
    tag: str
    built: bool


def _parse_deb822(text: str) -> list[dict[str, str]]:
    stanzas, cur = [], {}
    for line in text.splitlines():
        if not line.strip():
            if cur:
                stanzas.append(cur)
            cur = {}
            continue
        if line.startswith("#") or line[0].isspace():
            continue
        key, _, value = line.partition(":")
        cur[key.strip().lower()] = value.strip()
    if cur:
        stanzas.append(cur)
    return stanzas


def parse_host_sources(deb822_texts: list[str], one_line_texts: list[str]) -> Mirrors:
    """Find the Debian archive and security mirrors in the host's apt sources."""
    entries: list[tuple[str, list[str]]] = []
    for text in deb822_texts:
        for st in _parse_deb822(text):
            if "deb" not in st.get("types", "deb").split() or st.get("enabled", "yes") == "no":
                continue
            for uri in st.get("uris", "").split():
                entries.append((uri, st.get("suites", "").split()))
    for text in one_line_texts:
        for line in text.splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 3 and parts[0] == "deb":
                rest = [p for p in parts[1:] if not p.startswith("[")]
                entries.append((rest[0], [rest[1]]))
    archive = next(
        (u for u, suites in entries if any("-" not in s for s in suites) and "security" not in u),
        None,
    )
    security = next(
        (u for u, suites in entries if any(s.endswith("-security") for s in suites)), None
    )
    if archive is None:
        raise LabError("no Debian archive mirror found in /etc/apt/sources.list(.d): add one first")
    return Mirrors(archive=archive.rstrip("/"), security=security.rstrip("/") if security else None)


def host_mirrors(root: Path = Path("/")) -> Mirrors:
    d = root / "etc/apt/sources.list.d"
    deb822 = [p.read_text() for p in sorted(d.glob("*.sources"))] if d.is_dir() else []
    one_line = [p.read_text() for p in sorted(d.glob("*.list"))] if d.is_dir() else []
    main_list = root / "etc/apt/sources.list"
    if main_list.exists():
        one_line.append(main_list.read_text())
    return parse_host_sources(deb822, one_line)


def image_sources(release: str, mirrors: Mirrors) -> str:
    """The deb822 sources file the image carries for ``release``."""
    out = (
        f"Types: deb\nURIs: {mirrors.archive}\nSuites: {release} {release}-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )
    if mirrors.security:
        out += (
            f"\nTypes: deb\nURIs: {mirrors.security}\nSuites: {release}-security\n"
            "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
    return out


def _file_bytes(name: str) -> bytes:
    return resources.files("hactl.lab").joinpath("node_image", name).read_bytes()


def recipe_hash(release: str, mirrors: Mirrors) -> str:
    recipe = {
        "version": RECIPE_VERSION,
        "release": release,
        "packages": list(PACKAGES),
        "sources": image_sources(release, mirrors),
        "files": {
            dest: [mode, hashlib.sha256(_file_bytes(src)).hexdigest()]
            for src, dest, mode in IMAGE_FILES
        },
    }
    blob = json.dumps(recipe, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def image_tag(release: str, mirrors: Mirrors | None = None) -> str:
    if release not in RELEASES:
        choices = ", ".join(RELEASES)
        raise LabError(f"unknown node image release {release!r}: choose one of {choices}")
    return f"{IMAGE_REPO}:{release}-{recipe_hash(release, mirrors or host_mirrors())}"


def _image_exists(tag: str) -> bool:
    return run(["docker", "image", "inspect", tag], check=False).returncode == 0


def _build(release: str, mirrors: Mirrors, tag: str) -> None:
    require_root("building node images")
    if shutil.which("debootstrap") is None:
        apt_install(["debootstrap"])
    env = {}
    proxy = aptcache.proxy_url()
    if proxy:
        env["http_proxy"] = proxy
    with tempfile.TemporaryDirectory(prefix=f"hactl-rootfs-{release}-", dir="/var/tmp") as tmp:
        rootfs = Path(tmp) / "rootfs"
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                release,
                str(rootfs),
                mirrors.archive,
            ],
            env=env,
            timeout=1800,
        )
        sources_dir = rootfs / "etc/apt/sources.list.d"
        sources_dir.mkdir(parents=True, exist_ok=True)
        (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
        (sources_dir / "debian.sources").write_text(image_sources(release, mirrors))
        for src, dest, mode in IMAGE_FILES:
            path = rootfs / dest
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_file_bytes(src))
            path.chmod(mode)
        wants = rootfs / "etc/systemd/system/multi-user.target.wants"
        wants.mkdir(parents=True, exist_ok=True)
        link = wants / "hactl-ssh-host-keys.service"
        link.unlink(missing_ok=True)
        link.symlink_to("/etc/systemd/system/hactl-ssh-host-keys.service")
        # Every container must get its own identity: no shared machine-id, no shared host keys.
        (rootfs / "etc/machine-id").write_text("")
        for key in (rootfs / "etc/ssh").glob("ssh_host_*"):
            key.unlink()
        for deb in (rootfs / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        _import_rootfs(rootfs, tag)


def _import_rootfs(rootfs: Path, tag: str) -> None:
    """Stream the root file system into ``docker import``."""
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    changes = ["-c", 'CMD ["/lib/systemd/systemd"]', "-c", "ENV container=docker"]
    imp = subprocess.run(
        ["docker", "import", *changes, "-", tag],
        stdin=tar.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tar.stdout is not None
    tar.stdout.close()
    if tar.wait() != 0 or imp.returncode != 0:
        raise LabError(f"importing {rootfs} as {tag} failed: {imp.stderr.strip()[-2000:]}")


def ensure_image(release: str) -> ImageResult:
    """Return the node image tag for ``release``, building it only when that tag is missing."""
    mirrors = host_mirrors()
    tag = image_tag(release, mirrors)
    if _image_exists(tag):
        return ImageResult(tag=tag, built=False)
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCK_DIR / f"image-{release}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building the same tag
        if _image_exists(tag):
            return ImageResult(tag=tag, built=False)
        _build(release, mirrors, tag)
    return ImageResult(tag=tag, built=True)
