#!/bin/bash
# Capture DHCP traffic of real PXE clients (QEMU + iPXE ROMs / OVMF) inside private
# network namespaces (mbvec-lab, mbvec-prx). Writes one pcap per scenario to WORKDIR.
# Usage: capture_real_vectors.sh WORKDIR [scenario...]   (scenarios: ipxe-bios ovmf-pxe ipxe-efi ipxe-bios-mini)
# Needs root, qemu-system-x86, ipxe-qemu, ovmf, dnsmasq-base, tcpdump, tshark.
set -u
HERE=$(dirname "$(realpath "$0")")
W=$(realpath -m "${1:-/tmp/mbvec-work}"); shift || true
SCEN=("$@"); [ ${#SCEN[@]} -eq 0 ] && SCEN=(ipxe-bios ovmf-pxe ipxe-efi ipxe-bios-mini)
NS=mbvec-lab; NSP=mbvec-prx
mkdir -p "$W"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null; ip netns del "$NSP" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS" || exit 1
ip netns add "$NSP" || exit 1
ip -n "$NS" link set lo up; ip -n "$NSP" link set lo up
ip -n "$NS" link add br0 type bridge
ip -n "$NS" addr add 10.99.0.1/24 dev br0
ip -n "$NS" link set br0 up
ip -n "$NS" link add vprx type veth peer name prx0 netns "$NSP"
ip -n "$NS" link set vprx master br0
ip -n "$NS" link set vprx up
ip -n "$NSP" addr add 10.99.0.2/24 dev prx0
ip -n "$NSP" link set prx0 up
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" link set tap0 master br0
ip -n "$NS" link set tap0 up

# Site DHCP server (allocates addresses) on br0. For UEFI HTTP boot clients it also offers a
# boot URI with vendor class HTTPClient, so that OVMF's HTTP boot goes on to a DHCPREQUEST.
ip netns exec "$NS" dnsmasq --no-daemon --port=0 --dhcp-range=10.99.0.50,10.99.0.99,1h \
  --no-ping --interface=br0 --bind-interfaces --dhcp-leasefile="$W/site.leases" \
  --dhcp-vendorclass=set:http,HTTPClient --dhcp-option-force=tag:http,60,HTTPClient \
  --dhcp-boot=tag:http,http://10.99.0.1/boot.efi \
  --log-dhcp --log-facility="$W/site-dnsmasq.log" --pid-file="$W/site.pid" &
PIDS+=($!)
sleep 1

# start_proxy dnsmasq|mini : ProxyDHCP + port 4011 in its own namespace; no TFTP (later TFTP fails, fine).
PROXY_PID=
start_proxy() {
  if [ "$1" = dnsmasq ]; then
    ip netns exec "$NSP" dnsmasq --no-daemon --port=0 --dhcp-range=10.99.0.0,proxy \
      --pxe-service=x86PC,"metalboot",undionly --pxe-service=x86-64_EFI,"metalboot",snponly \
      --interface=prx0 --dhcp-leasefile="$W/proxy.leases" \
      --log-dhcp --log-facility="$W/proxy-dnsmasq.log" --pid-file="$W/proxy.pid" &
  else
    ip netns exec "$NSP" python3 "$HERE/mini_proxydhcp.py" prx0 10.99.0.2 undionly.kpxe \
      >"$W/mini-proxy.log" 2>&1 &
  fi
  PROXY_PID=$!; PIDS+=($PROXY_PID)
  sleep 1
}
stop_proxy() { kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null; }

# run_vm NAME DONE_FILTER DONE_COUNT MAX_SECONDS qemu-args...
run_vm() {
  local name=$1 filter=$2 count=$3 max=$4; shift 4
  rm -f "$W/$name.pcap" "$W/$name.serial"
  ip netns exec "$NS" tcpdump -i br0 -U -s 0 -w "$W/$name.pcap" \
     'udp port 67 or udp port 68 or udp port 4011' 2>"$W/$name.tcpdump.log" &
  local tpid=$!; PIDS+=($tpid)
  sleep 1
  local cmd=(qemu-system-x86_64 -accel tcg -m 256 -display none -monitor none
             -serial "file:$W/$name.serial" "$@")
  echo "$name: ${cmd[*]}" | tee "$W/$name.cmdline"
  ip netns exec "$NS" "${cmd[@]}" &
  local qpid=$!; PIDS+=($qpid)
  local t0=$SECONDS n=0
  while [ $((SECONDS - t0)) -lt "$max" ]; do
    sleep 2
    n=$(tshark -r "$W/$name.pcap" -d udp.port==4011,dhcp -Y "$filter" 2>/dev/null | wc -l)
    [ "$n" -ge "$count" ] && break
  done
  sleep 2
  echo "$name: $n packet(s) matching [$filter] after $((SECONDS - t0)) s"
  kill "$qpid"; wait "$qpid" 2>/dev/null
  kill "$tpid"; wait "$tpid" 2>/dev/null
}

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
for s in "${SCEN[@]}"; do
  case $s in *-mini) start_proxy mini ;; *) start_proxy dnsmasq ;; esac
  case $s in
  ipxe-bios|ipxe-bios-mini)
    # QEMU's default virtio-net ROM (pxe-virtio.rom = iPXE) under SeaBIOS.
    printf '\xf8\x03' > "$W/sercon-port"
    run_vm "$s" 'udp.dstport==4011' 1 90 \
      -boot n -fw_cfg name=etc/sercon-port,file="$W/sercon-port" \
      -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
      -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01 \
      -uuid 11223344-5566-7788-99aa-bbccddeeff01 ;;
  ovmf-pxe)
    # OVMF's own PXE client (no option ROM on the NIC). Wait for the 4011 boot-server
    # REQUEST, then keep running to catch later boot options (e.g. HTTP boot) too.
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$W/ovmf-pxe.vars"
    run_vm ovmf-pxe 'dhcp.option.vendor_class_id contains "HTTPClient" && dhcp.option.dhcp==3' 1 240 \
      -drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE \
      -drive if=pflash,format=raw,file="$W/ovmf-pxe.vars" \
      -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
      -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:02,bootindex=1,romfile= \
      -uuid 11223344-5566-7788-99aa-bbccddeeff02 ;;
  ipxe-efi)
    # QEMU's default ROM for virtio-net (efi-virtio.rom: iPXE EFI driver) under OVMF.
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$W/ipxe-efi.vars"
    run_vm ipxe-efi 'udp.dstport==4011' 1 180 \
      -drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE \
      -drive if=pflash,format=raw,file="$W/ipxe-efi.vars" \
      -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
      -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:03,bootindex=1 \
      -uuid 11223344-5566-7788-99aa-bbccddeeff03 ;;
  *) echo "unknown scenario $s" >&2 ;;
  esac
  stop_proxy
done

exit 0
