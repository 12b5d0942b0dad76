"""The drill scenarios: what each breaks, how it watches, and how it knows the fault took effect."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from hactl.drill.engine import Context, DrillRefused, Plan, Scenario
from hactl.drill.faults import ContainerCrash, IptablesPartition, NetworkPartition, ServiceFault
from hactl.drill.probes import ProbeLoop, http_check, tcp_check
from hactl.status import ClusterStatus, lb_hosts

INTERVAL_S = 0.1


def _vip(ctx: Context) -> tuple[str, int]:
    return str(ctx.var("hactl_api_vip")), int(ctx.var("hactl_api_port", 6443))


def _holder(status: ClusterStatus) -> str:
    holders = status.component("vip").details.get("holders", [])
    if len(holders) != 1:
        raise DrillRefused(f"the VIP has {len(holders)} holders; a drill needs exactly one")
    return holders[0]


def _vip_probe(ctx: Context) -> ProbeLoop:
    vip, port = _vip(ctx)
    return ProbeLoop(check=lambda: tcp_check(vip, port, timeout=0.5), interval_s=INTERVAL_S)


def _vip_moved_from(ctx: Context, old: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            holders = ctx.status().component("vip").details.get("holders", [])
        except Exception:
            return False
        return len(holders) == 1 and holders[0] != old

    return check


def _needs_vip(ctx: Context, opt_in: bool) -> str | None:
    if ctx.var("hactl_api_vip") is None:
        return "no hactl_api_vip in the inventory"
    if len(lb_hosts(ctx.inventory)) < 2:
        return "fewer than 2 lb nodes: nothing to fail over to"
    return None


def _vip_redundancy(ctx: Context) -> tuple[int, int]:
    return 1, len(lb_hosts(ctx.inventory))


def _plan_service_on_holder(unit: str) -> Callable[[Context], Plan]:
    def plan(ctx: Context) -> Plan:
        holder = _holder(ctx.status())
        return Plan(
            target=holder,
            faults=[ServiceFault(ctx.session, holder, unit)],
            probes=[_vip_probe(ctx)],
            interval_s=INTERVAL_S,
            injected=_vip_moved_from(ctx, holder),
        )

    return plan


def _plan_node_crash(ctx: Context) -> Plan:
    holder = _holder(ctx.status())
    fault = ContainerCrash(holder) if ctx.is_lab else _SysrqCrash(ctx, holder)
    return Plan(
        target=holder,
        faults=[fault],
        probes=[_vip_probe(ctx)],
        interval_s=INTERVAL_S,
        injected=_vip_moved_from(ctx, holder),
        observe_s=30,
    )


class _SysrqCrash:
    """Real hosts (opt-in): crash the kernel with sysrq; 'restore' waits for the host to return."""

    def __init__(self, ctx: Context, host: str) -> None:
        self.ctx, self.host = ctx, host
        self.description = f"sysrq crash of {host}"

    def inject(self) -> None:
        with contextlib.suppress(Exception):  # the connection dies with the kernel
            self.ctx.session(self.host).sudo("echo b > /proc/sysrq-trigger", timeout=5)

    def restore(self) -> None:
        """Nothing to undo: the node reboots; wait_healthy() measures its return."""


def _plan_partition(ctx: Context) -> Plan:
    holder = _holder(ctx.status())
    if ctx.is_lab:
        address = str(ctx.inventory.hostvars(holder)["ansible_host"])
        fault = NetworkPartition(holder, str(ctx.lab_network), address)
    else:
        fault = IptablesPartition(ctx.session, holder, str(ctx.var("hactl_network_cidr")))
    return Plan(
        target=holder,
        faults=[fault],
        probes=[_vip_probe(ctx)],
        interval_s=INTERVAL_S,
        injected=_vip_moved_from(ctx, holder),
        observe_s=30,
    )


def _lab_or_opt_in(ctx: Context, opt_in: bool) -> str | None:
    reason = _needs_vip(ctx, opt_in)
    if reason:
        return reason
    if not ctx.is_lab and not opt_in:
        return "disruptive on real hosts: pass --allow-disruptive to run it"
    return None


def _lb_backend_frontend(ctx: Context) -> dict | None:
    """The frontend whose backend the drill stops: ``hactl_drill_lb_backend`` in the inventory,
    {port, unit, path, scheme}, naming a frontend on the VIP whose servers really answer."""
    spec = ctx.var("hactl_drill_lb_backend")
    return spec if isinstance(spec, dict) and spec.get("unit") and spec.get("port") else None


def _lb_backend_applies(ctx: Context, opt_in: bool) -> str | None:
    reason = _needs_vip(ctx, opt_in)
    if reason:
        return reason
    if _lb_backend_frontend(ctx) is None:
        return "hactl_drill_lb_backend (port, unit, backend_group) is not set in the inventory"
    return None


def _plan_lb_backend(ctx: Context) -> Plan:
    spec = _lb_backend_frontend(ctx)
    assert spec is not None
    vip, _ = _vip(ctx)
    backends = ctx.inventory.group(str(spec.get("backend_group", "control_plane")))
    if len(backends) < 2:
        raise DrillRefused("the drilled frontend has fewer than 2 backends")
    victim = backends[-1]
    url = f"{spec.get('scheme', 'http')}://{vip}:{spec['port']}{spec.get('path', '/')}"
    status = ctx.status

    def marked_down() -> bool:
        lb = status().component("lb").details
        return any(
            server == victim and not str(state).startswith("UP")
            for backends_ in lb.values()
            if isinstance(backends_, dict)
            for servers in backends_.values()
            if isinstance(servers, dict)
            for server, state in servers.items()
        )

    return Plan(
        target=victim,
        faults=[ServiceFault(ctx.session, victim, str(spec["unit"]))],
        probes=[ProbeLoop(check=lambda: http_check(url, timeout=1.0), interval_s=INTERVAL_S)],
        interval_s=INTERVAL_S,
        injected=marked_down,
        min_observe_s=4.0,
    )


def _all() -> tuple[Scenario, ...]:
    from hactl.drill.data_scenarios import DATA_SCENARIOS

    return (*_VIP_SCENARIOS, *DATA_SCENARIOS)


_VIP_SCENARIOS = (
    Scenario(
        "vip-holder-down",
        "vip",
        "keepalived stopped on the VIP holder",
        _needs_vip,
        _plan_service_on_holder("keepalived"),
        _vip_redundancy,
    ),
    Scenario(
        "haproxy-down",
        "lb",
        "haproxy stopped on the VIP holder (the track script must move the VIP)",
        _needs_vip,
        _plan_service_on_holder("haproxy"),
        _vip_redundancy,
    ),
    Scenario(
        "lb-backend-down",
        "lb",
        "one backend of a VIP frontend stopped",
        _lb_backend_applies,
        _plan_lb_backend,
    ),
    Scenario(
        "node-crash",
        "nodes",
        "the VIP holder crashes (lab: container killed; real: sysrq, opt-in)",
        _lab_or_opt_in,
        _plan_node_crash,
        _vip_redundancy,
    ),
    Scenario(
        "network-partition",
        "nodes",
        "the VIP holder loses its network (lab: disconnected; real: iptables, opt-in)",
        _lab_or_opt_in,
        _plan_partition,
        _vip_redundancy,
    ),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _all()}
