#!/usr/bin/env python3
"""Build spec-derived DHCP test vectors (raw DHCP payloads, starting at the BOOTP op byte).

For clients not available in the lab, and for option overload (52), which no client here sends.
Deterministic: fixed xids, MACs and GUIDs, no clock, no randomness. stdlib only.
Usage: python3 make_spec_vectors.py [OUTDIR]   (default: this folder)
Packets the decoder must refuse go to OUTDIR/malformed/, outside the vectors tshark reads.

References (per vector, see README.md):
  RFC 2131 s2 (fixed header, flags), s4.1 (client messages; options continued in 'file', then
  'sname'); RFC 2132 s2 (magic cookie), s3.1/s3.2 (pad/end), s9.3 (52 option overload: 1 file,
  2 sname, 3 both), s9.6 (53), s9.8 (55), s9.10 (57), s9.13 (60);
  RFC 1542 s2.1 (300-octet minimum BOOTP message), s4.1.1 (relay agent: giaddr, hops);
  RFC 4578 s2.1 (93), s2.2 (94: type 1 = UNDI, major, minor), s2.3 (97: type 0 + 16-octet GUID);
  RFC 3046 (82 relay agent information: sub-option 1 circuit-id, 2 remote-id);
  PXE 2.1 s2.2.1 (client DISCOVER: 60 "PXEClient:Arch:xxxxx:UNDI:yyyzzz", 55 incl. 43, 60, 128-135);
  UEFI 2.x "HTTP Boot" (60 "HTTPClient:Arch:xxxxx:UNDI:yyyzzz", 93 = HTTP arch type);
  IANA "Processor Architecture Types": 0 x86 BIOS, 6 x86 UEFI, 7 x64 UEFI, 11 ARM64 UEFI,
  16 x64 UEFI HTTP, 19 ARM64 UEFI HTTP.
"""
import os
import struct
import sys

MAGIC = bytes([99, 130, 83, 99])

# Parameter request lists.
# Typical of Intel PXE 2.1 BIOS option ROMs (Intel Boot Agent): 36 codes incl. 43, 60, 128-135.
INTEL_PXE_PRL = [1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51,
                 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135]
# EDK2 PxeBcDxe (UEFI PXE): same list as captured from OVMF in this folder (ovmf-pxe-discover.bin).
EDK2_PXE_PRL = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54,
                58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135]
# EDK2 HttpBootDxe: as captured from OVMF 2022.11 in this folder (ovmf-httpboot-discover.bin).
# Note 235 (0xEB) where the PXE list has 66: that is what EDK2 sends.
EDK2_HTTP_PRL = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54,
                 58, 59, 60, 235, 67, 97]


def opt(code, data):
    data = bytes(data)
    assert len(data) <= 255
    return bytes([code, len(data)]) + data


def header(op=1, htype=1, hlen=6, hops=0, xid=0, secs=0, flags=0x8000, ciaddr="0.0.0.0",
           yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0", chaddr="00:00:00:00:00:00",
           sname=b"", file=b""):
    """sname (64 octets) and file (128 octets) are NUL-filled after what is given."""
    ip = lambda s: bytes(int(x) for x in s.split("."))
    mac = bytes(int(x, 16) for x in chaddr.split(":"))
    assert len(sname) <= 64 and len(file) <= 128
    h = struct.pack("!BBBBIHH", op, htype, hlen, hops, xid, secs, flags)
    h += ip(ciaddr) + ip(yiaddr) + ip(siaddr) + ip(giaddr)
    h += mac.ljust(16, b"\0") + sname.ljust(64, b"\0") + file.ljust(128, b"\0") + MAGIC
    assert len(h) == 240
    return h


def packet(hdr, options, min_len=300):
    """Header + options + END, padded with zero (pad) octets to min_len (RFC 1542 s2.1)."""
    p = hdr + b"".join(options) + b"\xff"
    return p.ljust(min_len, b"\0")


def guid(hexstr):
    b = bytes.fromhex(hexstr)
    assert len(b) == 16
    return b


def arch(*codes):
    return b"".join(struct.pack("!H", c) for c in codes)


def uefi_discover(xid, mac, arch_code, vci, g, prl, secs=0):
    """EDK2-shaped DISCOVER (option order as OVMF's: 53, 57, 55, 97, 94, 93, 60)."""
    return packet(header(xid=xid, chaddr=mac, secs=secs, flags=0x8000), [
        opt(53, [1]),
        opt(57, struct.pack("!H", 1472)),
        opt(55, prl),
        opt(97, b"\0" + g),
        opt(94, [1, 3, 0]),
        opt(93, arch(arch_code)),
        opt(60, vci.encode("ascii")),
    ])


def bios_pxe_discover(xid, mac, g_opt97):
    """Classic PXE 2.1 BIOS ROM DISCOVER, padded to 548 octets like Intel ROMs send."""
    return packet(header(xid=xid, chaddr=mac, secs=4, flags=0x8000), [
        opt(53, [1]),
        opt(57, struct.pack("!H", 1260)),
        opt(55, INTEL_PXE_PRL),
        opt(97, g_opt97),
        opt(93, arch(0)),
        opt(94, [1, 2, 1]),
        opt(60, b"PXEClient:Arch:00000:UNDI:002001"),
    ], min_len=548)


# Option overload (RFC 2131 s4.1, RFC 2132 s9.3): an x64 UEFI PXE DISCOVER (EDK2 option set)
# whose options continue in the 'file' field (60) and then the 'sname' field (93, 97), each
# area ending with END. What is left in the options field: 53, 57, 55, 94 and 52 itself.
OVERLOAD_GUID = guid("8182838485868788898a8b8c8d8e8f90")
OVERLOAD_FILE_AREA = opt(60, b"PXEClient:Arch:00007:UNDI:003000") + b"\xff"
OVERLOAD_SNAME_AREA = opt(93, arch(7)) + opt(97, b"\0" + OVERLOAD_GUID) + b"\xff"


def overloaded_discover(xid, mac, overload, file_area, sname_area):
    """overload is option 52 as it goes on the wire (code, length, value), so that malformed
    ones can be written too; file_area and sname_area are the raw field contents."""
    return packet(header(xid=xid, chaddr=mac, flags=0x8000, sname=sname_area, file=file_area), [
        opt(53, [1]),
        opt(57, struct.pack("!H", 1472)),
        opt(55, EDK2_PXE_PRL),
        opt(94, [1, 3, 0]),
        overload,
    ])


def malformed_overloads():
    """DISCOVERs whose option 52 or overloaded fields do not parse: each must be refused.
    xids 0x0a0b0c09.., MACs 00:1b:21:00:00:09..; all else as spec-overload-discover."""
    vendor = opt(60, b"PXEClient:Arch:00007:UNDI:003000")
    shapes = {
        # 52 names no field: RFC 2132 s9.3 defines only 1, 2 and 3.
        "spec-overload-value-4": (opt(52, [4]), OVERLOAD_FILE_AREA, OVERLOAD_SNAME_AREA),
        # 52 is one octet long (RFC 2132 s9.3); here 2.
        "spec-overload-length-2": (opt(52, [0, 3]), OVERLOAD_FILE_AREA, OVERLOAD_SNAME_AREA),
        # In file, after 60, option 77 says 100 octets where 92 are left in the field.
        "spec-overload-file-option-past-end": (
            opt(52, [3]), vendor + bytes([77, 100]) + b"iPXE", OVERLOAD_SNAME_AREA),
        # sname: 93 and 97, pads, then a code in the field's last octet with no room for a length.
        "spec-overload-sname-no-length-byte": (
            opt(52, [3]), OVERLOAD_FILE_AREA,
            (opt(93, arch(7)) + opt(97, b"\0" + OVERLOAD_GUID)).ljust(63, b"\0") + bytes([60])),
        # file only: 60, then no END but garbage ('A' = code 65, length 65) that overruns the field.
        "spec-overload-file-garbage-no-end": (
            opt(52, [1]), (vendor + b"A" * 128)[:128], b""),
    }
    v = {}
    for i, (name, (overload, file_area, sname_area)) in enumerate(shapes.items()):
        v[name] = overloaded_discover(0x0A0B0C09 + i, "00:1b:21:00:00:%02x" % (9 + i), overload,
                                      file_area, sname_area)
    return v


def write(outdir, vectors, subdir=""):
    os.makedirs(os.path.join(outdir, subdir), exist_ok=True)
    for name, data in vectors.items():
        path = os.path.join(subdir, name + ".bin")
        with open(os.path.join(outdir, path), "wb") as f:
            f.write(data)
        print("%-48s %4d bytes" % (path, len(data)))


def build(outdir):
    v = {}
    v["spec-bios-pxe-discover"] = bios_pxe_discover(
        0x0A0B0C01, "00:1b:21:00:00:01", b"\0" + guid("0102030405060708090a0b0c0d0e0f10"))
    v["spec-empty-guid-discover"] = bios_pxe_discover(
        0x0A0B0C02, "00:1b:21:00:00:02", b"")
    v["spec-uefi-ia32-discover"] = uefi_discover(
        0x0A0B0C03, "00:1b:21:00:00:03", 6, "PXEClient:Arch:00006:UNDI:003000",
        guid("2122232425262728292a2b2c2d2e2f30"), EDK2_PXE_PRL)
    v["spec-uefi-arm64-discover"] = uefi_discover(
        0x0A0B0C04, "00:1b:21:00:00:04", 11, "PXEClient:Arch:00011:UNDI:003000",
        guid("3132333435363738393a3b3c3d3e3f40"), EDK2_PXE_PRL)
    v["spec-httpboot-x64-discover"] = uefi_discover(
        0x0A0B0C05, "00:1b:21:00:00:05", 16, "HTTPClient:Arch:00016:UNDI:003000",
        guid("4142434445464748494a4b4c4d4e4f50"), EDK2_HTTP_PRL)
    v["spec-httpboot-arm64-discover"] = uefi_discover(
        0x0A0B0C06, "00:1b:21:00:00:06", 19, "HTTPClient:Arch:00019:UNDI:003000",
        guid("5152535455565758595a5b5c5d5e5f60"), EDK2_HTTP_PRL)
    # Relayed: an x64 UEFI PXE DISCOVER as forwarded by a relay agent (RFC 1542 s4.1.1:
    # hops incremented to 1, giaddr = relay's address on the client's subnet), with the relay
    # agent information option 82 (RFC 3046: sub-option 1 circuit-id, 2 remote-id) inserted
    # before END.
    relayed = header(xid=0x0A0B0C07, hops=1, giaddr="10.20.30.1", chaddr="00:1b:21:00:00:07",
                     flags=0x8000)
    v["spec-relayed-discover"] = packet(relayed, [
        opt(53, [1]),
        opt(57, struct.pack("!H", 1472)),
        opt(55, EDK2_PXE_PRL),
        opt(97, b"\0" + guid("6162636465666768696a6b6c6d6e6f70")),
        opt(94, [1, 3, 0]),
        opt(93, arch(7)),
        opt(60, b"PXEClient:Arch:00007:UNDI:003000"),
        opt(82, opt(1, b"eth0:vlan10") + opt(2, bytes.fromhex("0a141e01"))),
    ])
    v["spec-overload-discover"] = overloaded_discover(
        0x0A0B0C08, "00:1b:21:00:00:08", opt(52, [3]), OVERLOAD_FILE_AREA, OVERLOAD_SNAME_AREA)
    write(outdir, v)
    write(outdir, malformed_overloads(), "malformed")


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
