#!/bin/sh
# ipmi_sim's lan_config_program: the LAN parameters the lab's BMC reports. ipmi_sim runs
#   lan-parameters.sh get PARM...        prints "PARM:VALUE" per PARM
#   lan-parameters.sh set|check PARM VALUE...
# Fixed values, set nowhere: these are the addresses the agent's inventory must report
# (bmc_address, bmc_mac), not addresses of this host.
cmd="$1"; shift
case "$cmd" in
    get)
        for parm in "$@"; do
            case "$parm" in
                ip_addr) echo "ip_addr:192.0.2.77" ;;
                ip_addr_src) echo "ip_addr_src:static" ;;
                mac_addr) echo "mac_addr:52:54:00:be:ef:01" ;;
                subnet_mask) echo "subnet_mask:255.255.255.0" ;;
                default_gw_ip_addr) echo "default_gw_ip_addr:192.0.2.1" ;;
                default_gw_mac_addr) echo "default_gw_mac_addr:52:54:00:be:ef:fe" ;;
                backup_gw_ip_addr) echo "backup_gw_ip_addr:0.0.0.0" ;;
                backup_gw_mac_addr) echo "backup_gw_mac_addr:00:00:00:00:00:00" ;;
                *) echo "$parm:" ;;
            esac
        done ;;
    check|set) ;; # read-only in the lab: accepted, not kept
    *) echo "unknown command $cmd"; exit 1 ;;
esac
