def test_lab_up_is_stopped_only_by_ssh_level_failures() -> None:
    from hactl import api
    from hactl.preflight import Check, HostReport, PreflightReport

    busy_port = HostReport(
        "n1",
        "10.0.0.1",
        [Check("reachable", True, ""), Check("ports", False, "8443 in use by haproxy")],
    )
    no_sudo = HostReport("n2", "10.0.0.2", [Check("sudo", False, "a password is required")])
    assert api.lab_blocking_failures(PreflightReport([busy_port])) == []
    assert api.lab_blocking_failures(PreflightReport([busy_port, no_sudo])) == [
        "n2: sudo: a password is required"
    ]
