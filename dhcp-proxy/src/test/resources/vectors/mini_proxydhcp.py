#!/usr/bin/env python3
"""Minimal ProxyDHCP peer used only to make real clients send their ProxyDHCP REQUEST to port 4011.

Unlike dnsmasq, its port-67 ProxyDHCPOFFER carries no PXE boot menu (43.9) and no
siaddr/boot file, so iPXE (dhcp_has_pxeopts() false) follows up with a ProxyDHCPREQUEST
to <server>:4011 (PXE 2.1 flow). The 4011 REQUEST is answered with a ProxyDHCPACK naming
a boot file. Run inside a private network namespace only:
    ip netns exec mbvec-prx python3 mini_proxydhcp.py prx0 10.99.0.2 undionly.kpxe
stdlib only; logs one line per packet to stdout.
"""
import socket
import struct
import sys

IFACE, SERVER_IP, BOOTFILE = sys.argv[1], sys.argv[2], sys.argv[3]
MAGIC = b"\x63\x82\x53\x63"


def options(pkt):
    out, i = {}, 240
    while i < len(pkt):
        code = pkt[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(pkt):
            break
        n = pkt[i + 1]
        out.setdefault(code, pkt[i + 2:i + 2 + n])
        i += 2 + n
    return out


def reply(req, msgtype, siaddr, bootfile, opts):
    hdr = bytearray(req[:240])
    hdr[0] = 2                                   # op BOOTREPLY
    hdr[3] = 0                                   # hops
    hdr[8:12] = b"\0\0\0\0"                      # secs, flags kept below
    hdr[10:12] = req[10:12]
    hdr[16:20] = b"\0\0\0\0"                     # yiaddr: ProxyDHCP never assigns
    hdr[20:24] = socket.inet_aton(siaddr)
    hdr[44:108] = b"\0" * 64
    hdr[108:236] = bootfile.encode().ljust(128, b"\0")
    hdr[236:240] = MAGIC
    body = bytes([53, 1, msgtype]) + bytes([54, 4]) + socket.inet_aton(SERVER_IP)
    body += bytes([60, 9]) + b"PXEClient"
    if 97 in opts:
        body += bytes([97, len(opts[97])]) + opts[97]
    return bytes(hdr) + body + b"\xff"


def sock(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
    s.bind(("0.0.0.0", port))
    return s


import select
s67, s4011 = sock(67), sock(4011)
print("mini_proxydhcp on", IFACE, SERVER_IP, flush=True)
while True:
    ready, _, _ = select.select([s67, s4011], [], [])
    for s in ready:
        pkt, peer = s.recvfrom(2048)
        if len(pkt) < 240 or pkt[0] != 1 or pkt[236:240] != MAGIC:
            continue
        o = options(pkt)
        mt = o.get(53, b"\0")[0]
        vci = o.get(60, b"")
        print("rx port", s.getsockname()[1], "from", peer, "type", mt, vci, flush=True)
        if not vci.startswith(b"PXEClient"):
            continue
        if s is s67 and mt == 1:                 # DISCOVER -> ProxyDHCPOFFER (no menu, no file)
            s67.sendto(reply(pkt, 2, "0.0.0.0", "", o), ("255.255.255.255", 68))
        elif s is s4011 and mt == 3:             # REQUEST at 4011 -> ProxyDHCPACK with boot file
            s4011.sendto(reply(pkt, 5, SERVER_IP, BOOTFILE, o), peer)
