#!/bin/sh
# Provisions the appliance VM of vagrant/Vagrantfile as an operator would (packaging/README.md):
# installs the .deb the file provisioner copied in, names the provisioning NIC and address in
# /etc/metalboot/metalboot.yaml, enables and starts the service and waits for /healthz.
# Run as root by vagrant's shell provisioner; again on `vagrant provision`.
set -eu
: "${METALBOOT_DEB:?}" "${METALBOOT_ADDRESS:?}"
conf=/etc/metalboot/metalboot.yaml
begin='# BEGIN vagrant/provision/appliance.sh'
end='# END vagrant/provision/appliance.sh'

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# curl: the health check below; the box has none.
apt-get install -y -qq --no-install-recommends curl >/dev/null
# --reinstall: every build of the .deb has the same version (0.1.0~SNAPSHOT), so without it a
# later `vagrant provision` would keep the package installed before. dpkg keeps the edited conffile.
apt-get install -y -qq --no-install-recommends --reinstall "$METALBOOT_DEB" >/dev/null

iface="$(ip -o -4 addr show to "$METALBOOT_ADDRESS/32" | awk '{ print $2; exit }')"
if [ -z "$iface" ]; then
    echo "appliance: no interface has $METALBOOT_ADDRESS" >&2
    ip -o -4 addr >&2
    exit 1
fi

# The conffile has every option commented out ("#key: value") except tftp: and http:, which the
# package keeps active. The settings go in a block of their own at the end, as new top-level keys
# (a second tftp: or http: would be a duplicate key); a later run replaces the block. The block
# stays in the conffile, which dpkg keeps across upgrades as an operator's edit.
sed -i "\\|^$begin|,\\|^$end|d" "$conf"
if grep -Eq '^(server-address|dhcp):' "$conf"; then
    echo "appliance: $conf already sets server-address or dhcp outside this script's block; edit it by hand" >&2
    exit 1
fi
cat >>"$conf" <<EOF
$begin
server-address: $METALBOOT_ADDRESS
dhcp:
  interface: $iface
$end
EOF
/usr/lib/metalboot/runtime/bin/java -jar /usr/share/metalboot/metalboot-pxe-server.jar --config "$conf" --check-config

# A first install leaves the service disabled and stopped; restart also applies a changed block.
systemctl enable metalboot >/dev/null 2>&1
systemctl restart metalboot
for _ in $(seq 30); do
    if curl -fsS --max-time 2 "http://$METALBOOT_ADDRESS:8080/healthz" >/dev/null 2>&1; then
        echo "appliance: metalboot serves on $iface ($METALBOOT_ADDRESS): ProxyDHCP, TFTP, http://$METALBOOT_ADDRESS:8080/"
        exit 0
    fi
    sleep 1
done
echo "appliance: /healthz did not answer within 30 s" >&2
journalctl -u metalboot --no-pager | tail -n 30 >&2
exit 1
