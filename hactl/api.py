"""hactl's library API: typed results, never prints or exits. The CLI is a thin layer over it."""

from __future__ import annotations

from dataclasses import dataclass, field

from hactl.lab import aptcache, engine, images


@dataclass(frozen=True)
class LabPrepared:
    docker_version: str
    docker_started: bool
    apt_cache: str
    images: dict[str, str] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)


def lab_prepare(releases: tuple[str, ...] = images.RELEASES) -> LabPrepared:
    """Make this machine ready for the lab and the test suite: engine, apt cache, node images."""
    eng = engine.ensure_engine()
    cache = aptcache.ensure_apt_cache()
    tags: dict[str, str] = {}
    built: list[str] = []
    for release in releases:
        result = images.ensure_image(release)
        tags[release] = result.tag
        if result.built:
            built.append(result.tag)
    return LabPrepared(eng.server_version, eng.started, cache, tags, built)


def lab_image(release: str) -> images.ImageResult:
    """The node image for one release, built when missing (the engine must be running)."""
    engine.ensure_engine()
    return images.ensure_image(release)
