#!/usr/bin/env bash
# Stages the metalboot .deb's contents for jdeb (packaging/pom.xml packs them at `package`):
#
#   packaging/deb/stage-deb.sh --maven-version V --appliance DIR --cli-lib DIR OUT
#
#   OUT/data.tar          every file but the conffile, owned root:root, modes as installed
#   OUT/metalboot.yaml    /etc/metalboot/metalboot.yaml, the conffile (conffile.awk)
#   OUT/control/          control (Depends from dpkg-shlibdeps, Built-Using), postinst, prerm, postrm
#   OUT/version           the package's version
#
# DIR is the appliance's build output (pxe-server/target/appliance: its jar, lib/ and the agent
# ramdisk in assets/agent/, which packaging's package phase builds first, as root). What lands
# where:
#   /usr/lib/metalboot/runtime/        a runtime jlinked from the build's JDK: the modules jdeps finds
#                                      in the appliance's class path, so no system Java is needed
#   /usr/share/metalboot/              the appliance's jar and lib/ (the jars its manifest names)
#   /usr/share/metalboot/cli/, /usr/bin/metalboot   the operator CLI (cli/target/cli-lib) on the
#                                      same runtime, its manual page made by help2man from its --help
#   /usr/lib/metalboot/assets/agent/   the agent ramdisk: vmlinuz, initrd.img (http.assets)
#   /usr/lib/metalboot/ipxe/           iPXE from Debian's ipxe package, unchanged (tftp.root)
#   /lib/systemd/system/metalboot.service, /usr/share/doc/metalboot/, lintian's overrides
# Debian's ipxe .deb is fetched with apt-get download into METALBOOT_CACHE (~/.cache/metalboot)/ipxe/.
# Needs: a JDK >= 21 (scripts/select-jdk.sh), apt, dpkg-dev (dpkg-shlibdeps), binutils (objdump,
# strip), help2man.
set -euo pipefail
export LC_ALL=C
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
started=$SECONDS
log() { echo "deb: $*" >&2; }
die() { echo "deb: $*" >&2; exit 2; }

maven_version= appliance= cli_lib= out=
while [ $# -gt 0 ]; do
    case "$1" in
        --maven-version) maven_version="$2"; shift 2 ;;
        --appliance) appliance="$2"; shift 2 ;;
        --cli-lib) cli_lib="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) out="$1"; shift ;;
    esac
done
[ -n "$maven_version" ] && [ -n "$appliance" ] && [ -n "$cli_lib" ] && [ -n "$out" ] ||
    die "usage: stage-deb.sh --maven-version V --appliance DIR --cli-lib DIR OUT"
[ -f "$cli_lib/metalboot-cli.jar" ] || die "no $cli_lib/metalboot-cli.jar: build the cli module first"
for program in dpkg-shlibdeps objdump strip apt-get dpkg-deb gzip tar help2man; do
    command -v "$program" >/dev/null || die "$program is missing (apt-get install dpkg-dev binutils)"
done
[ -d "$appliance" ] || die "no appliance directory $appliance: build pxe-server first"
appliance="$(cd "$appliance" && pwd)"
jar="$appliance/metalboot-pxe-server.jar"
[ -f "$jar" ] || die "no $jar: build pxe-server first"
for f in vmlinuz initrd.img; do
    [ -s "$appliance/assets/agent/$f" ] || die "no agent ramdisk ($appliance/assets/agent/$f): it is built as root at package time; run as root, or skip the .deb with -Dmetalboot.deb.skip=true"
done
. "$repo/scripts/select-jdk.sh"

# A Maven snapshot 0.1.0-SNAPSHOT is Debian's 0.1.0~SNAPSHOT: older than the release 0.1.0.
version="${maven_version/-SNAPSHOT/~SNAPSHOT}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
root="$out/root"
rm -rf "$root" "$out/control" "$out/data.tar"
mkdir -p "$root" "$out/control"

# --- the appliance's jars: exactly the class path its manifest names ----------------------------
share="$root/usr/share/metalboot"
mkdir -p "$share/lib"
manifest_dir="$(mktemp -d)"
(cd "$manifest_dir" && "$JAVA_HOME/bin/jar" xf "$jar" META-INF/MANIFEST.MF)
class_path="$(tr -d '\r' <"$manifest_dir/META-INF/MANIFEST.MF" |
    awk '/^Class-Path:/ { on = 1; sub(/^Class-Path: /, ""); printf "%s", $0; next }
         on && /^ / { sub(/^ /, ""); printf "%s", $0; next } { on = 0 }')"
rm -rf "$manifest_dir"
[ -n "$class_path" ] || die "$jar has no Class-Path in its manifest"
install -m 0644 "$jar" "$share/"
jars=()
for entry in $class_path; do
    # Netty's epoll for aarch64 is on the class path for other machines: not in an amd64 package.
    case "$entry" in *linux-aarch_64.jar) continue ;; esac
    [ -f "$appliance/$entry" ] || die "the manifest names $entry, which is not in $appliance"
    install -m 0644 "$appliance/$entry" "$share/lib/"
    jars+=("$appliance/$entry")
done

# --- the operator CLI: its jars beside each other, as its manifest names them ------------------
install -d "$share/cli"
install -m 0644 "$cli_lib"/*.jar "$share/cli/"
install -D -m 0755 "$repo/cli/src/main/sh/metalboot" "$root/usr/bin/metalboot"
cli_jars=("$cli_lib"/*.jar)

# --- the runtime: jlink, the modules jdeps finds (the appliance's and the CLI's) ----------------
modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" \
    --print-module-deps --class-path "$(IFS=:; echo "${jars[*]}:${cli_jars[*]}")" "$jar" "${jars[@]}" "${cli_jars[@]}" 2>/dev/null | tail -n 1)"
[[ "$modules" == java.base* ]] || die "jdeps found no modules: $modules"
# java.desktop is only a `requires static` (Jackson's and SnakeYAML's optional java.beans support):
# with it the runtime would carry AWT and sound, and depend on X11's and ALSA's libraries.
modules="$(tr ',' '\n' <<<"$modules" | grep -vx java.desktop | paste -sd,)"
log "jdeps: $modules at $((SECONDS - started)) s"
# Service providers jdeps cannot see: EC keys for TLS to the management cluster (their own module
# before JDK 22), and jdk.unsupported for Netty and jffi.
for extra in jdk.crypto.ec jdk.unsupported; do
    case ",$modules," in *",$extra,"*) continue ;; esac
    if "$JAVA_HOME/bin/java" --list-modules | grep -q "^$extra@"; then modules="$modules,$extra"; fi
done
runtime="$root/usr/lib/metalboot/runtime"
mkdir -p "$(dirname "$runtime")"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress zip-6 --output "$runtime"
# The JDK's own libraries carry their symbols: Debian ships stripped objects (the debug symbols of
# this build are the JDK vendor's to give). No CDS archive: it would add 29 MiB to save a
# long-running service a fraction of a second once per start.
while IFS= read -r -d '' f; do
    if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "177ELF" ]; then
        case "$f" in *.so) strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f" ;;
                     *) strip --remove-section=.comment --remove-section=.note "$f" ;; esac
    fi
done < <(find "$runtime" -type f -print0)
# jrt-fs.jar lets an older JDK's tools read this runtime's modules: nothing here runs it.
rm -f "$runtime/lib/jrt-fs.jar"
# jlink copies the legal notices read-only (0444); Debian's files are 0644.
find "$runtime" -type f -perm /u+x -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
java_version="$("$runtime/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
log "runtime: $java_version, modules $modules, $(du -sm "$runtime" | cut -f1) MiB"

# The CLI's manual page, from its --help as the packaged runtime prints it (help2man calls it by
# the name it will have on the PATH).
cli_bin="$(mktemp -d)"
printf '#!/bin/sh\nexec "%s" -XX:TieredStopAtLevel=1 -jar "%s" "$@"\n' "$runtime/bin/java" "$share/cli/metalboot-cli.jar" >"$cli_bin/metalboot"
chmod 0755 "$cli_bin/metalboot"
mkdir -p "$root/usr/share/man/man1"
help2man --no-info --no-discard-stderr --section 1 --version-string "$version" \
    --name "the metalboot appliance's operator command line" "$cli_bin/metalboot" | gzip -9n >"$root/usr/share/man/man1/metalboot.1.gz"
chmod 0644 "$root/usr/share/man/man1/metalboot.1.gz"
rm -rf "$cli_bin"

# --- iPXE from Debian's ipxe package -------------------------------------------------------------
ipxe_cache="${METALBOOT_CACHE:-$HOME/.cache/metalboot}/ipxe"
mkdir -p "$ipxe_cache"
ipxe_version="$(apt-cache policy ipxe | awk '/Candidate:/ { print $2 }')"
[ -n "$ipxe_version" ] && [ "$ipxe_version" != "(none)" ] || die "apt knows no ipxe package (apt-get update?)"
ipxe_deb="$ipxe_cache/ipxe_${ipxe_version//:/%3a}_all.deb"
if [ ! -s "$ipxe_deb" ]; then
    (cd "$ipxe_cache" && apt-get download -q "ipxe=$ipxe_version" >/dev/null 2>&1) || die "apt-get download ipxe=$ipxe_version failed"
fi
ipxe_tree="$(mktemp -d)"
trap 'rm -rf "$ipxe_tree"' EXIT
dpkg-deb -x "$ipxe_deb" "$ipxe_tree"
mkdir -p "$root/usr/lib/metalboot/ipxe"
# The boot files the ProxyDHCP names (dhcp.boot-files), and ipxe.efi for firmware snponly cannot drive.
for f in undionly.kpxe undionly.kkpxe snponly.efi ipxe.efi; do
    install -m 0644 "$ipxe_tree/usr/lib/ipxe/$f" "$root/usr/lib/metalboot/ipxe/"
done

# --- the agent ramdisk ---------------------------------------------------------------------------
mkdir -p "$root/usr/lib/metalboot/assets/agent"
install -m 0644 "$appliance/assets/agent/vmlinuz" "$appliance/assets/agent/initrd.img" "$root/usr/lib/metalboot/assets/agent/"

# --- the unit, docs, lintian's overrides ---------------------------------------------------------
install -D -m 0644 "$here/metalboot.service" "$root/lib/systemd/system/metalboot.service"
doc="$root/usr/share/doc/metalboot"
install -D -m 0644 "$here/copyright" "$doc/copyright"
install -m 0644 "$repo/pxe-server/README.md" "$doc/README.md"
date="$(git -C "$repo" log -1 --format=%cD 2>/dev/null || date -R)"
{
    echo "metalboot ($version) unstable; urgency=medium"
    echo
    echo "  * Built from the metalboot repository ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no git")), with"
    echo "    Java $java_version and Debian's ipxe $ipxe_version."
    echo
    echo " -- metalboot developers <dev@metalboot.io>  $date"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/metalboot"

# --- the conffile --------------------------------------------------------------------------------
{
    cat <<'EOF'
# /etc/metalboot/metalboot.yaml: the metalboot appliance's configuration.
# A conffile: an upgrade keeps your edits. It is laid over the built-in defaults, so name only what
# you change. Below is every option, where the defaults document it, commented out: "#key: value"
# is an option at its default (uncomment it, and its parents, to change it), "# text" is its
# documentation. The lines left active are the package's: where it installs iPXE and the agent.
# systemctl reload metalboot re-reads the machine lists, boot profiles and templates; everything
# else takes effect at the next systemctl restart metalboot.
# Secrets (a kubeconfig for bootstrap.kubeconfig) belong in files of their own, readable by the
# metalboot group only: chgrp metalboot FILE; chmod 0640 FILE.

EOF
    awk -v set="tftp.root=/usr/lib/metalboot/ipxe;http.assets=/usr/lib/metalboot/assets" -f "$here/conffile.awk" \
        "$repo/pxe-server/src/main/resources/io/metalboot/appliance/config/metalboot-defaults.yaml"
} >"$out/metalboot.yaml"

# --- control: Depends from the runtime's ELF files, Built-Using from what it bundles ---------------
elves=()
while IFS= read -r -d '' f; do
    if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "177ELF" ]; then elves+=("$f"); fi
done < <(find "$runtime" -type f -print0)
shlibs_dir="$(mktemp -d)"
mkdir -p "$shlibs_dir/debian"
printf 'Source: metalboot\n\nPackage: metalboot\nArchitecture: amd64\n' >"$shlibs_dir/debian/control"
# The runtime's own libraries (libjvm.so and its siblings, found through $ORIGIN) are the package's.
shlibs="$(cd "$shlibs_dir" && dpkg-shlibdeps -O --ignore-missing-info -l"$runtime/lib" -l"$runtime/lib/server" "${elves[@]}" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')"
rm -rf "$shlibs_dir"
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies for the runtime"
# What the ramdisk and iPXE bundle, by source package (the ramdisk's build records its kernel).
built_using="ipxe (= $ipxe_version)"
kernel_release="$(cat "$appliance/assets/agent/kernel-package" 2>/dev/null || true)"
if [ -n "$kernel_release" ]; then built_using="$built_using, $kernel_release"; fi
installed_kib="$(du -sk --apparent-size "$root" | cut -f1)"
cat >"$out/control/control" <<EOF
Package: metalboot
Version: $version
Section: net
Priority: optional
Architecture: amd64
Maintainer: metalboot developers <dev@metalboot.io>
Depends: adduser, procps, $shlibs
Built-Using: $built_using
Installed-Size: $((installed_kib + 8))
Homepage: https://metalboot.io
Description: bare-metal boot appliance: PXE to Kubernetes nodes
 metalboot turns powered-on bare-metal servers into Kubernetes nodes: a
 ProxyDHCP beside the site's DHCP server, TFTP and HTTP boot with per-machine
 iPXE scripts, a machine registry with a REST API, the agent ramdisk that
 inventories and deploys each machine, an OS image service, and Cluster API
 bootstrap data.
 .
 The package brings its own Java runtime, the agent ramdisk and iPXE. The
 service starts only once enabled: edit /etc/metalboot/metalboot.yaml first.
EOF
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$out/control/"
echo "$version" >"$out/version"

# --- data.tar: root-owned, modes as staged, one timestamp -----------------------------------------
mtime="$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)"
find "$root" -type d -exec chmod 0755 {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf "$out/data.tar" -C "$root" lib usr
log "staged $version in $out ($(du -sm "$root" | cut -f1) MiB installed) in $((SECONDS - started)) s"
