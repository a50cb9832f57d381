"""Loaded (via PYTHONPATH) into every baseline process bench/throughput.py starts: no traffic but to 127.0.0.1.

Host names other than localhost do not resolve, and a socket connects to 127.0.0.1 only; anything else fails as an
unreachable network would. Libraries that phone home (a public-suffix list download, say) fall back as they do
offline, and nothing leaves the machine whatever a baseline's defaults are.
"""

import socket

_LOCAL = {"127.0.0.1", "localhost", b"127.0.0.1", b"localhost"}
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and host not in _LOCAL:
        raise socket.gaierror(socket.EAI_NONAME, f"bench netguard: {host!r} is not 127.0.0.1")
    return [info for info in _getaddrinfo(host, *args, **kwargs) if info[4][0] == "127.0.0.1" or info[0] == socket.AF_UNIX]


def _guarded_gethostbyname(host):
    if host not in _LOCAL:
        raise socket.gaierror(socket.EAI_NONAME, f"bench netguard: {host!r} is not 127.0.0.1")
    return "127.0.0.1"


def _allowed(address) -> bool:
    return not isinstance(address, tuple) or address[0] in _LOCAL


def _guarded_connect(self, address):
    if not _allowed(address):
        raise ConnectionRefusedError(f"bench netguard: {address!r} is not 127.0.0.1")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _allowed(address):
        return 111  # ECONNREFUSED
    return _connect_ex(self, address)


socket.getaddrinfo = _guarded_getaddrinfo
socket.gethostbyname = _guarded_gethostbyname
socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
