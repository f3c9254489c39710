#!/bin/bash
# Cut the real-client vectors out of the pcaps written by capture_real_vectors.sh.
# Usage: pcap_to_bins.sh WORKDIR [OUTDIR]   (OUTDIR defaults to this folder)
# Each vector = the UDP payload of the FIRST packet in the pcap matching the display filter.
set -eu
W=$1; OUT=${2:-$(dirname "$(realpath "$0")")}
cut_one() {  # NAME PCAP FILTER
  local hex
  hex=$(tshark -r "$W/$2.pcap" -d udp.port==4011,dhcp -Y "$3" -T fields -e udp.payload 2>/dev/null | head -1 | tr -d ':\n')
  [ -n "$hex" ] || { echo "no packet for $1 in $2.pcap [$3]" >&2; return 1; }
  printf '%s' "$hex" | xxd -r -p > "$OUT/$1.bin"
  printf '%-36s %4d bytes  from %s.pcap [%s]\n' "$1.bin" "$(stat -c %s "$OUT/$1.bin")" "$2" "$3"
}
C='udp.srcport==68 && udp.dstport==67'           # client -> site/proxy DHCP server, port 67
cut_one ipxe-bios-discover           ipxe-bios      "$C && dhcp.option.dhcp==1"
cut_one ipxe-bios-request            ipxe-bios      "$C && dhcp.option.dhcp==3"
cut_one ipxe-bios-pxebs-request      ipxe-bios      "udp.dstport==4011 && dhcp.type==1"
cut_one ipxe-bios-proxy-request      ipxe-bios-mini "udp.dstport==4011 && dhcp.type==1"
cut_one ovmf-pxe-discover            ovmf-pxe       "$C && dhcp.option.dhcp==1 && dhcp.option.vendor_class_id contains \"PXEClient\""
cut_one ovmf-pxe-request             ovmf-pxe       "$C && dhcp.option.dhcp==3 && dhcp.option.vendor_class_id contains \"PXEClient\""
cut_one ovmf-pxe-bootserver-request  ovmf-pxe       "udp.dstport==4011 && dhcp.type==1"
cut_one ovmf-httpboot-discover       ovmf-pxe       "$C && dhcp.option.dhcp==1 && dhcp.option.vendor_class_id contains \"HTTPClient\""
cut_one ovmf-httpboot-request        ovmf-pxe       "$C && dhcp.option.dhcp==3 && dhcp.option.vendor_class_id contains \"HTTPClient\""
cut_one ipxe-efi-discover            ipxe-efi       "$C && dhcp.option.dhcp==1"
cut_one ipxe-efi-request             ipxe-efi       "$C && dhcp.option.dhcp==3"
cut_one ipxe-efi-proxy-request       ipxe-efi       "udp.dstport==4011 && dhcp.type==1"
