"""The node image builder's pure parts: mirrors from the host's sources, recipe hashing, tags."""

from __future__ import annotations

import pytest

from hactl.errors import LabError
from hactl.lab import images

DEB822 = """Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""


@pytest.mark.parametrize(
    ("deb822", "one_line", "archive", "security"),
    [
        ([DEB822], [], "http://mirror.example/debian", "http://mirror.example/debian-security"),
        (
            [],
            [
                "deb [arch=amd64] http://m.example/debian/ bookworm main\n"
                "deb http://m.example/debian-security bookworm-security main\n"
            ],
            "http://m.example/debian",
            "http://m.example/debian-security",
        ),
        (
            [],
            ["# comment\ndeb http://only.example/debian trixie main\n"],
            "http://only.example/debian",
            None,
        ),
        (
            ["Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n"],
            ["deb http://bin.example/debian bookworm main"],
            "http://bin.example/debian",
            None,
        ),
    ],
)
def test_parse_host_sources(deb822, one_line, archive, security) -> None:
    mirrors = images.parse_host_sources(deb822, one_line)
    assert mirrors.archive == archive
    assert mirrors.security == security


def test_parse_host_sources_without_archive_is_a_clear_error() -> None:
    with pytest.raises(LabError, match="no Debian archive mirror"):
        images.parse_host_sources(
            [], ["deb http://m.example/debian-security bookworm-security main"]
        )


def test_image_sources_follow_the_release() -> None:
    m = images.Mirrors("http://m.example/debian", "http://m.example/debian-security")
    text = images.image_sources("trixie", m)
    assert "Suites: trixie trixie-updates\n" in text
    assert "Suites: trixie-security\n" in text
    assert "bookworm" not in text


def test_recipe_hash_is_stable_and_tracks_the_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    m = images.Mirrors("http://m.example/debian", None)
    first = images.recipe_hash("bookworm", m)
    assert first == images.recipe_hash("bookworm", m)
    assert first != images.recipe_hash("trixie", m)
    assert first != images.recipe_hash(
        "bookworm", images.Mirrors("http://other.example/debian", None)
    )
    monkeypatch.setattr(images, "PACKAGES", (*images.PACKAGES, "curl"))
    assert first != images.recipe_hash("bookworm", m)


def test_image_tag_names_release_and_hash() -> None:
    m = images.Mirrors("http://m.example/debian", None)
    tag = images.image_tag("bookworm", m)
    assert tag == f"hactl-node:bookworm-{images.recipe_hash('bookworm', m)}"


def test_unknown_release_is_rejected() -> None:
    with pytest.raises(LabError, match="unknown node image release 'sid'"):
        images.image_tag("sid", images.Mirrors("http://m.example/debian", None))


def test_ensure_image_skips_an_existing_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    m = images.Mirrors("http://m.example/debian", None)
    monkeypatch.setattr(images, "host_mirrors", lambda: m)
    monkeypatch.setattr(images, "_image_exists", lambda tag: True)
    monkeypatch.setattr(images, "_build", lambda *a: pytest.fail("must not build"))
    result = images.ensure_image("bookworm")
    assert result.built is False
    assert result.tag == images.image_tag("bookworm", m)


def test_ensure_image_builds_a_missing_tag(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    m = images.Mirrors("http://m.example/debian", None)
    built: list[str] = []
    monkeypatch.setattr(images, "host_mirrors", lambda: m)
    monkeypatch.setattr(images, "LOCK_DIR", tmp_path)
    monkeypatch.setattr(images, "_image_exists", lambda tag: bool(built))
    monkeypatch.setattr(images, "_build", lambda release, mirrors, tag: built.append(tag))
    result = images.ensure_image("trixie")
    assert result.built is True
    assert built == [result.tag]
