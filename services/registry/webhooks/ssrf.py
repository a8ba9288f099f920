"""Refuse webhook targets that would let a caller reach inside the network (SSRF).

https only unless allowed; the host's every resolved address must be public unless the host
or its network is allow-listed. Checked when a webhook is saved and again before each
attempt (DNS can change), and redirects are never followed.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from services.core.config import RegistrySettings
from services.core.errors import InvalidParameterValue


class UnsafeTarget(Exception):
    pass


def _allow_list(settings: RegistrySettings) -> tuple[set[str], list]:
    hosts, networks = set(), []
    for item in filter(None, (part.strip() for part in settings.webhook_allowed_hosts.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower())
    return hosts, networks


def check_url_shape(url: str, settings: RegistrySettings) -> None:
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.webhook_allow_http else ("https",)
    if parts.scheme not in allowed:
        raise InvalidParameterValue(
            f"Webhook URL must use {' or '.join(allowed)}; got '{parts.scheme or url}'."
        )
    if not parts.hostname:
        raise InvalidParameterValue(f"Webhook URL '{url}' has no host.")
    if parts.username or parts.password:
        raise InvalidParameterValue("Webhook URLs may not carry credentials.")


async def check_target(url: str, settings: RegistrySettings) -> None:
    """Raise UnsafeTarget unless every address the host resolves to may be reached."""
    host = (urlsplit(url).hostname or "").lower()
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    hosts, networks = _allow_list(settings)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeTarget(f"cannot resolve {host}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if host in hosts or any(address in network for network in networks):
            continue
        if not address.is_global:
            raise UnsafeTarget(
                f"{host} resolves to {address}, a private, loopback or link-local address; "
                "allow-list it with GRIMOIRE_REGISTRY_WEBHOOK_ALLOWED_HOSTS if intended"
            )


async def validate(url: str, settings: RegistrySettings) -> None:
    check_url_shape(url, settings)
    try:
        await check_target(url, settings)
    except UnsafeTarget as error:
        raise InvalidParameterValue(f"Webhook URL refused: {error}.") from None
