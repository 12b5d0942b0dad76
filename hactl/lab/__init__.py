"""The local lab: a Docker engine, an apt cache and systemd node images built with debootstrap.

Used by the test suite (molecule scenarios, integration tests) and by ``hactl lab``.
"""
