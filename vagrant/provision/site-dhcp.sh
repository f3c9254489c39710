#!/bin/sh
# Provisions the site-dhcp VM of vagrant/Vagrantfile: dnsmasq as the site's DHCP server on the
# provisioning network. Addresses only, no PXE options: metalboot's ProxyDHCP answers PXE beside
# it, as in the namespace lab (SiteDhcpServer). Run as root by vagrant's shell provisioner.
set -eu
: "${SITE_ADDRESS:?}" "${POOL_START:?}" "${POOL_END:?}" "${NETMASK:?}" "${SITE_IPV6:?}"

# The NIC that holds the static provisioning address: its name is the box's business, the address is ours.
iface="$(ip -o -4 addr show to "$SITE_ADDRESS/32" | awk '{ print $2; exit }')"
if [ -z "$iface" ]; then
    echo "site-dhcp: no interface has $SITE_ADDRESS" >&2
    ip -o -4 addr >&2
    exit 1
fi

# On that NIC only: the management network has libvirt's own DHCP server. port=0: no DNS.
mkdir -p /etc/dnsmasq.d
cat >/etc/dnsmasq.d/metalboot-site.conf <<EOF
# Written by vagrant/provision/site-dhcp.sh.
interface=$iface
bind-interfaces
port=0
dhcp-range=$POOL_START,$POOL_END,$NETMASK,1h
enable-ra
dhcp-range=::,constructor:$iface,ra-only
log-dhcp
EOF

# The router adverts need an IPv6 address on the NIC to construct their prefix from; it is set
# each time dnsmasq starts, so it survives a reboot without touching the box's ifupdown files.
mkdir -p /etc/systemd/system/dnsmasq.service.d
cat >/etc/systemd/system/dnsmasq.service.d/metalboot-ipv6.conf <<EOF
[Service]
ExecStartPre=/sbin/ip -6 addr replace $SITE_IPV6 dev $iface
EOF

# Both files are in place before the install, so dnsmasq's first start already uses them.
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends dnsmasq >/dev/null
systemctl daemon-reload
systemctl enable dnsmasq >/dev/null 2>&1
systemctl restart dnsmasq
if ! systemctl is-active --quiet dnsmasq; then
    journalctl -u dnsmasq --no-pager | tail -n 20 >&2
    exit 1
fi
echo "site-dhcp: dnsmasq hands out $POOL_START-$POOL_END on $iface, no PXE options"
