"""Which address a request comes from, when proxies stand between the person and the server.

In web mode every call comes from the Flet app server, so keying per-client limits on the TCP peer
would put every person in one bucket. The app server (and a load balancer) says whose call it is
in `X-Forwarded-For`; that header is believed only from proxies listed in ENS_TRUSTED_PROXIES,
since anyone else could write any address there to escape the limits.
"""

import ipaddress
from functools import cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _parse(setting: str) -> tuple[frozenset[str], tuple[Network, ...]]:
    """Exact names (e.g. "testclient") and networks ("10.0.0.0/8", "127.0.0.1") from the setting."""
    names: set[str] = set()
    networks: list[Network] = []
    for item in (part.strip() for part in setting.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item)
    return frozenset(names), tuple(networks)


def _trusted(address: str, setting: str) -> bool:
    names, networks = _parse(setting)
    if address in names:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_of(peer: str, forwarded_for: str | None, trusted_proxies: str) -> str:
    """The nearest address in the chain that is not a trusted proxy (the peer if it is not one)."""
    if not trusted_proxies or not forwarded_for or not _trusted(peer, trusted_proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")][-10:]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a hop that is not an address: believe nothing of the chain
        if not _trusted(address, trusted_proxies):
            return address
    return peer
