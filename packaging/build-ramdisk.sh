#!/usr/bin/env bash
# Builds the agent ramdisk: OUTDIR/vmlinuz and OUTDIR/initrd.img, from Debian packages and the
# agent's jars. What goes in, the cache and the measured sizes: packaging/README.md.
#
#   packaging/build-ramdisk.sh --agent-lib DIR --main CLASS [OPTIONS] OUTDIR
#
#   --agent-lib DIR          the agent's jars and their dependencies: every DIR/*.jar, by name
#   --main CLASS             the agent's main class
#   --class-list FILE        the CDS class list the archive is dumped from (-XX:DumpLoadedClassList
#                            output, committed beside the agent); default: the runtime's own
#                            lib/classlist, which holds JDK classes only
#   --java-modules LIST      the runtime's modules (comma-separated) instead of what jdeps finds
#   --add-java-modules LIST  modules to add to what jdeps finds (service providers it cannot see)
#   --java-options "OPTS"    JVM options for the agent, at CDS dump time and at boot
#   --compression KIND       zstd (default), xz or gzip: how initrd.img is compressed
#   --debian-binary PKG:PATH a program of a Debian package, at PATH (absolute) in the root, with the
#                            libraries ldd finds for it on this host (which needs them installed);
#                            the package is downloaded into the cache like the kernel. Repeatable
#                            (the agent ramdisk: ipmitool:/usr/bin/ipmitool)
#   --no-cache               build from scratch and do not store the result (the kernel .deb is
#                            still taken from and kept in the cache)
#   --size-report            also compress each part of the ramdisk on its own, for the size table
#   --write-class-list FILE  build the ramdisk's root, run MAIN once in it (chroot, no /proc, /sys
#                            or /dev) with -XX:DumpLoadedClassList=FILE, and stop. Only for a main
#                            that is harmless on the build host: it runs as root there.
#
#   packaging/build-ramdisk.sh --kernel-tree DIR
#
#   --kernel-tree DIR        only download and unpack the kernel and run depmod on all of its
#                            modules, then copy modules.alias, modules.dep, modules.softdep and
#                            modules.builtin to DIR, write its release to DIR/release, and stop
#                            (the paths in modules.dep are relative to lib/modules/RELEASE). For
#                            the agent's tests of modalias resolution; needs neither root nor the
#                            agent: apt, dpkg, kmod and the JDK only.
#
# Environment: METALBOOT_CACHE (default ~/.cache/metalboot; this uses METALBOOT_CACHE/ramdisk),
# SOURCE_DATE_EPOCH (every file's mtime in the ramdisk; default 315532800, 1980-01-01).
#
# Needs root (chroot for the CDS dump, mknod for /dev/console) and the Debian packages apt,
# dpkg, kmod (depmod, modinfo), busybox-static, cpio (2.13+), zstd, xz-utils, gzip; and a JDK >= 21
# (scripts/select-jdk.sh).
set -euo pipefail
export LC_ALL=C
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/$(basename "${BASH_SOURCE[0]}")"
started=$SECONDS

log() { echo "build-ramdisk: $*" >&2; }
die() { echo "build-ramdisk: $*" >&2; exit 2; }

agent_lib=
main=
class_list=
java_modules=
add_java_modules=
java_options=
compression=zstd
debian_binaries=()
use_cache=true
size_report=false
write_class_list=
kernel_tree=
out=
while [ $# -gt 0 ]; do
    case "$1" in
        --agent-lib) agent_lib="${2:?--agent-lib DIR}"; shift 2 ;;
        --main) main="${2:?--main CLASS}"; shift 2 ;;
        --class-list) class_list="${2:?--class-list FILE}"; shift 2 ;;
        --java-modules) java_modules="${2:?--java-modules LIST}"; shift 2 ;;
        --add-java-modules) add_java_modules="${2:?--add-java-modules LIST}"; shift 2 ;;
        --java-options) java_options="${2?--java-options OPTS}"; shift 2 ;;
        --compression) compression="${2:?--compression zstd|xz|gzip}"; shift 2 ;;
        --debian-binary) debian_binaries+=("${2:?--debian-binary PACKAGE:PATH}"); shift 2 ;;
        --no-cache) use_cache=false; shift ;;
        --size-report) size_report=true; shift ;;
        --write-class-list) write_class_list="${2:?--write-class-list FILE}"; shift 2 ;;
        --kernel-tree) kernel_tree="${2:?--kernel-tree DIR}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$script"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$out" ] || die "one OUTDIR only"; out="$1"; shift ;;
    esac
done
if [ -n "$kernel_tree" ]; then
    [ -z "$agent_lib$main$write_class_list$out" ] || die "--kernel-tree DIR takes no --agent-lib, --main, --write-class-list or OUTDIR"
    mkdir -p "$kernel_tree"
    kernel_tree="$(cd "$kernel_tree" && pwd)"
else
    [ -n "$agent_lib" ] && [ -n "$main" ] || die "--agent-lib DIR and --main CLASS are needed (see --help)"
    [ -n "$out" ] || [ -n "$write_class_list" ] || die "OUTDIR is needed (see --help)"
    [ -d "$agent_lib" ] || die "--agent-lib $agent_lib is not a directory"
    agent_lib="$(cd "$agent_lib" && pwd)"
    [[ "$main" =~ ^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$ ]] || die "--main $main is not a class name"
fi
[[ "$java_options" != *"'"* ]] || die "--java-options may not hold a single quote"
[ -z "$class_list" ] || [ -s "$class_list" ] || die "--class-list $class_list is missing or empty"
[ -z "$class_list" ] || class_list="$(cd "$(dirname "$class_list")" && pwd)/$(basename "$class_list")"
case "$compression" in
    # zstd's multi-threaded output is the same for any number of threads (facebook/zstd#2238).
    # Level 12: 31.2 MB in 6 s where 19 gives 28.3 MB in 76 s (the agent initrd, 2 cores); the
    # time counts twice in CI (the reproducibility test builds twice), the 3 MB hardly on a LAN.
    zstd) compress=(zstd -q -12 -T0 -c) ;;
    # The kernel's xz decoder checks CRC32 only, not xz's default CRC64.
    xz) compress=(xz -q -9 --check=crc32 --threads=1 -c) ;;
    gzip) compress=(gzip -9 -n -c) ;;
    *) die "--compression $compression: zstd, xz or gzip" ;;
esac
epoch="${SOURCE_DATE_EPOCH:-315532800}"
[[ "$epoch" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH=$epoch is not a number of seconds"

# --kernel-tree stops after depmod, before anything that needs root or more than apt, dpkg and kmod.
programs=(apt-cache apt-get dpkg-deb dpkg-query depmod modinfo cpio chroot sha256sum "${compress[0]}")
[ -z "$kernel_tree" ] || programs=(apt-cache apt-get dpkg-deb dpkg-query depmod sha256sum)
[ -n "$kernel_tree" ] || [ "$(id -u)" = 0 ] || die "needs root: chroot (the CDS dump runs in the ramdisk's root) and mknod (/dev/console)"
for program in "${programs[@]}"; do
    command -v "$program" >/dev/null || die "$program is missing (see --help for the Debian packages)"
done
# Captured, not piped into grep -q: grep leaving early would fail cpio's writes (pipefail) where
# SIGPIPE is ignored, as under a JVM (Maven's exec).
[ -n "$kernel_tree" ] || [[ "$(cpio --help 2>/dev/null)" == *--reproducible* ]] || die "cpio has no --reproducible (GNU cpio 2.13+ is needed)"
busybox=/bin/busybox
# ldd fails on a static binary; Debian's dynamic busybox would not run without its libraries.
if [ -z "$kernel_tree" ] && { ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; }; then
    die "a static $busybox is needed (Debian package busybox-static)"
fi

# shellcheck source=../scripts/select-jdk.sh
. "$here/../scripts/select-jdk.sh" || die "no JDK >= 21"
java_major="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)"
jdk_version="$(. "$JAVA_HOME/release" && echo "${IMPLEMENTOR:-unknown} ${IMPLEMENTOR_VERSION:-} ${JAVA_RUNTIME_VERSION:-unknown}")"

# The kernel: whichever linux-image-*-amd64 Debian's linux-image-amd64 depends on today (what
# `apt-cache depends linux-image-amd64` names; its Depends line also holds the exact version, and
# one apt-cache call saves a second or more where apt keeps no package cache, as in containers).
kernel_depends="$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)"
kernel_package="$(echo "$kernel_depends" | tr ',|' '\n\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*-amd64\)\( .*\)\{0,1\}$/\1/p' | head -n1)"
[ -n "$kernel_package" ] || die "linux-image-amd64 depends on no linux-image-*-amd64 here (apt-get update?)"
kernel_version="$(echo "$kernel_depends" | tr ',|' '\n\n' | sed -n "s/^ *$kernel_package (= \([^)]*\)).*/\1/p" | head -n1)"
if [ -z "$kernel_version" ]; then
    kernel_version="$(apt-cache show --no-all-versions "$kernel_package" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)"
fi
[ -n "$kernel_version" ] || die "apt-cache knows no version of $kernel_package"
busybox_version="$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo unknown)"

# The agent's jars, by name: the class path, in this order, at CDS dump time and at boot.
jars=()
for jar in "$agent_lib"/*.jar; do
    [ -f "$jar" ] || continue
    [[ "$(basename "$jar")" =~ ^[A-Za-z0-9._+-]+\.jar$ ]] || die "$jar: a jar name of letters, digits and ._+- only"
    jars+=("$jar")
done
[ ${#jars[@]} -gt 0 ] || [ -n "$kernel_tree" ] || die "no *.jar in $agent_lib"
class_path="$(printf '/opt/agent/lib/%s\n' "${jars[@]##*/}" | paste -sd:)"

# The host libraries the JDK's own binaries load (a superset of the runtime's, but for java.desktop's
# X11 and sound libraries, which an agent does not link), and the packages they come from: their
# versions are part of the cache key. The build stops if the runtime loads a library from another.
owner_of() { # a library path -> its Debian package (merged /usr: the path dpkg knows may differ)
    local path="$1" candidate
    for candidate in "$path" "${path#/usr}" "/usr$path" "$(readlink -f "$path")"; do
        dpkg-query -S "$candidate" 2>/dev/null | sed -n '1s/:.*//p' | grep . && return 0
    done
    return 1
}
jdk_host_libs() {
    local elf
    for elf in "$JAVA_HOME"/bin/java "$JAVA_HOME"/lib/*.so "$JAVA_HOME"/lib/server/*.so; do
        case "${elf##*/}" in libawt_xawt.so|libjawt.so|libsplashscreen.so|libjsound.so) continue ;; esac
        [ -f "$elf" ] && ldd "$elf" 2>/dev/null || true
    done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | grep -v "^$JAVA_HOME/" | sort -u
}
lib_packages="$(jdk_host_libs | while read -r lib; do owner_of "$lib" || echo "unowned:$lib"; done | sort -u |
    while read -r package; do
        case "$package" in
            unowned:*) echo "$package" ;;
            *) echo "$package=$(dpkg-query -W -f '${Version}' "$package")" ;;
        esac
    done | paste -sd' ')"

# --debian-binary: each package's candidate version, its .deb in the cache (downloaded once, like the
# kernel's), unpacked, and the libraries the program needs (ldd, on this host): their packages'
# versions go into the cache key beside the package's own.
debs="${METALBOOT_CACHE:-$HOME/.cache/metalboot}/ramdisk/debs"
# Package=version's .deb, downloaded once into the cache (through DIR, which apt's sandbox user
# need not write: root downloads, and says so instead of being warned) and checked to be that
# package at that version. Prints its path.
cached_deb() { # PACKAGE VERSION DIR
    local package="$1" version="$2" dir="$3" deb
    mkdir -p "$debs"
    deb="$debs/${package}_${version//:/%3a}_amd64.deb"
    if ! [ -s "$deb" ]; then
        log "downloading $package=$version"
        (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$package=$version") >&2
        mv "$dir/${package}_"*.deb "$deb"
    fi
    [ "$(dpkg-deb -f "$deb" Package Version | paste -sd' ')" = "Package: $package Version: $version" ] ||
        die "$deb is not $package $version"
    echo "$deb"
}
debian_unpacked="$(mktemp -d)"
trap 'rm -rf "$debian_unpacked"' EXIT
debian_keys=()
debian_lib_paths=()
for spec in "${debian_binaries[@]}"; do
    package="${spec%%:*}" path="${spec#*:}"
    [[ "$package" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] && [[ "$path" == /* ]] && [ "$package" != "$spec" ] ||
        die "--debian-binary $spec: PACKAGE:/ABSOLUTE/PATH"
    version="$(apt-cache show --no-all-versions "$package" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)"
    [ -n "$version" ] || die "--debian-binary $spec: apt-cache knows no $package (apt-get update?)"
    deb="$(cached_deb "$package" "$version" "$debian_unpacked")"
    dpkg-deb -x "$deb" "$debian_unpacked/$package"
    [ -f "$debian_unpacked/$package$path" ] && [ -x "$debian_unpacked/$package$path" ] ||
        die "--debian-binary $spec: $package has no program $path"
    needed="$(ldd "$debian_unpacked/$package$path" 2>/dev/null |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 } $3 == "not" { print "missing:" $1 }' | sort -u)"
    [ -n "$needed" ] || die "--debian-binary $spec: ldd finds no libraries (a static program needs no option)"
    if missing="$(echo "$needed" | grep '^missing:')"; then
        die "--debian-binary $spec: this host lacks $(echo "${missing//missing:/}" | paste -sd' ') (apt-get install the libraries of: $(dpkg-deb -f "$deb" Depends))"
    fi
    lib_versions="$(for lib in $needed; do
            owner="$(owner_of "$lib")" || die "$lib: no Debian package owns it, so the cache key cannot name it"
            echo "$owner=$(dpkg-query -W -f '${Version}' "$owner")"
        done | sort -u | paste -sd' ')"
    debian_keys+=("$package=$version $path libraries $lib_versions")
    debian_lib_paths+=($needed)
done

if [ -n "$class_list" ]; then
    class_list_id="$(sha256sum <"$class_list" | cut -d' ' -f1)"
else
    class_list_id="the runtime's lib/classlist"
fi
key_text="$(
    echo "recipe build-ramdisk.sh $(sha256sum <"$script" | cut -d' ' -f1)"
    echo "recipe init $(sha256sum <"$here/ramdisk/init" | cut -d' ' -f1)"
    echo "recipe modules.list $(sha256sum <"$here/ramdisk/modules.list" | cut -d' ' -f1)"
    echo "recipe udhcpc.script $(sha256sum <"$here/ramdisk/udhcpc.script" | cut -d' ' -f1)"
    echo "recipe class-list $class_list_id"
    echo "kernel $kernel_package=$kernel_version"
    echo "busybox busybox-static=$busybox_version $(sha256sum <"$busybox" | cut -d' ' -f1)"
    echo "jdk $jdk_version"
    echo "host-libraries $lib_packages"
    for entry in "${debian_keys[@]}"; do echo "debian-binary $entry"; done
    for jar in "${jars[@]}"; do echo "agent-jar ${jar##*/} $(sha256sum <"$jar" | cut -d' ' -f1)"; done
    echo "main $main"
    echo "java-modules ${java_modules:-jdeps} add ${add_java_modules:-none}"
    echo "java-options $java_options"
    echo "compression $compression $("${compress[0]}" --version 2>&1 | head -n1)"
    echo "tools $(cpio --version | head -n1); $(depmod -V | head -n1)"
    echo "source-date-epoch $epoch"
)"
key="$(printf '%s\n' "$key_text" | sha256sum | cut -c1-20)"
cache="${METALBOOT_CACHE:-$HOME/.cache/metalboot}/ramdisk"
entry="$cache/$key"
log "kernel $kernel_package $kernel_version, busybox-static $busybox_version, JDK $jdk_version; cache key $key"

deliver() { # cache entry or build directory -> OUTDIR/vmlinuz, OUTDIR/initrd.img
    local from="$1" name
    mkdir -p "$out"
    for name in vmlinuz initrd.img; do
        cp "$from/$name" "$out/.$name.tmp"
        mv "$out/.$name.tmp" "$out/$name"
    done
}

if [ -z "$write_class_list$kernel_tree" ] && $use_cache && [ -s "$entry/vmlinuz" ] && [ -s "$entry/initrd.img" ] && [ -s "$entry/manifest.txt" ]; then
    deliver "$entry"
    touch "$entry"
    cat "$entry/manifest.txt" >&2
    log "cache hit: $entry -> $out in $((SECONDS - started)) s"
    exit 0
fi

[ -n "$kernel_tree" ] || "$JAVA_HOME/bin/javap" -cp "$(printf '%s\n' "${jars[@]}" | paste -sd:)" "$main" >/dev/null 2>&1 ||
    die "--main $main: no such class in $agent_lib/*.jar"

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work" "$debian_unpacked"' EXIT
root="$work/root"

# --- the kernel package: downloaded once into the cache, unpacked, depmod run on all of it ---------
deb="$(cached_deb "$kernel_package" "$kernel_version" "$work")"
# Older kernels' packages are not needed again: a cached ramdisk keeps its own vmlinuz.
find "$debs" -maxdepth 1 -name 'linux-image-*.deb' ! -path "$deb" -delete
dpkg-deb -x "$deb" "$work/kernel"
kver="$(ls "$work/kernel/lib/modules")"
[ "$(echo "$kver" | wc -l)" = 1 ] && [ -f "$work/kernel/boot/vmlinuz-$kver" ] || die "$deb: not one kernel and its modules"
kmods="$work/kernel/lib/modules/$kver"
# The package has no modules.dep or modules.alias: its postinst runs depmod. So does this.
depmod -b "$work/kernel" "$kver"
log "kernel $kver unpacked, depmod run ($((SECONDS - started)) s)"
if [ -n "$kernel_tree" ]; then
    cp "$kmods/modules.alias" "$kmods/modules.dep" "$kmods/modules.softdep" "$kmods/modules.builtin" "$kernel_tree/"
    echo "$kver" >"$kernel_tree/release"
    log "modules.alias, modules.dep, modules.softdep, modules.builtin and release of $kver in $kernel_tree"
    exit 0
fi

# The modules of modules.list, with what they need: modules.dep, then modules.softdep (names or
# aliases), until nothing is added. Prints each module's path under lib/modules/KVER.
module_closure() {
    grep -v '^[[:space:]]*\(#\|$\)' "$here/ramdisk/modules.list" | awk -v dep="$kmods/modules.dep" \
        -v soft="$kmods/modules.softdep" -v alias="$kmods/modules.alias" -v builtin="$kmods/modules.builtin" '
        function name(path,   n) { n = path; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n); return n }
        function want(n, why,   n2, targets, t) {
            n2 = n; gsub(/-/, "_", n2)
            if (n2 in path) { if (!(n2 in wanted)) { wanted[n2] = 1; queue[++last] = n2 } return }
            if (n2 in inkernel) return
            if (n in aliases) { split(aliases[n], targets, " "); for (t in targets) want(targets[t], why); return }
            if (why == "listed") { print "not a module of this kernel: " n > "/dev/stderr"; missing = 1 }
        }
        BEGIN {
            while ((getline line < dep) > 0) {
                split(line, parts, ":"); n = name(parts[1]); path[n] = parts[1]; deps[n] = parts[2]
            }
            while ((getline line < soft) > 0) {
                count = split(line, words, " ")
                if (words[1] != "softdep") continue
                for (i = 3; i <= count; i++) if (words[i] != "pre:" && words[i] != "post:") softdeps[name(words[2])] = softdeps[name(words[2])] " " words[i]
            }
            while ((getline line < alias) > 0) {
                split(line, words, " ")
                if (words[2] !~ /[*?[]/) aliases[words[2]] = aliases[words[2]] " " words[3]
            }
            while ((getline line < builtin) > 0) inkernel[name(line)] = 1
        }
        { want($1, "listed") }
        END {
            for (i = 1; i <= last; i++) {
                n = queue[i]
                count = split(deps[n], words, " "); for (j = 1; j <= count; j++) want(name(words[j]), "dep")
                count = split(softdeps[n], words, " "); for (j = 1; j <= count; j++) want(words[j], "softdep")
            }
            if (missing) exit 1
            for (n in wanted) print path[n]
        }' | sort
}
modules="$(module_closure)" || die "ramdisk/modules.list names modules that $kernel_package does not have"

# --- the root ---------------------------------------------------------------------------------------
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,etc/metalboot,etc/modprobe.d}
mkdir -p "$root/lib/modules/$kver" "$root/opt/agent/lib"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
    case "$applet" in linuxrc|bin/busybox) continue ;; esac
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
# The kernel opens /dev/console for init before /init can mount devtmpfs.
mknod -m 600 "$root/dev/console" c 5 1
install -m 755 "$here/ramdisk/init" "$root/init"
install -m 755 "$here/ramdisk/udhcpc.script" "$root/etc/udhcpc.script"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
# init loads modules pass by pass: a synchronous SCSI scan has the disks there when modprobe returns.
printf 'options scsi_mod scan=sync\n' >"$root/etc/modprobe.d/metalboot.conf"

# Modules: compressed ones (.ko.xz, .ko.zst, .ko.gz) are unpacked here, so that busybox's insmod and
# modprobe load them whatever they were built with; depmod then describes exactly what is shipped.
for module in $modules; do
    target="$root/lib/modules/$kver/${module%.ko*}.ko"
    mkdir -p "$(dirname "$target")"
    case "$module" in
        *.ko) cp "$kmods/$module" "$target" ;;
        *.ko.xz) xz -dc "$kmods/$module" >"$target" ;;
        *.ko.zst) zstd -q -dc "$kmods/$module" >"$target" ;;
        *.ko.gz) gzip -dc "$kmods/$module" >"$target" ;;
        *) die "$module: not a kernel module file" ;;
    esac
done
shipped_names="$(for module in $modules; do basename "${module%.ko*}"; done)"
awk -v names="$shipped_names" 'BEGIN { split(names, list, "\n"); for (i in list) keep[list[i]] = 1 }
    { n = $0; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); if (n in keep) { sub(/\.ko(\.(xz|zst|gz))?$/, ".ko"); print } }' \
    "$kmods/modules.order" >"$root/lib/modules/$kver/modules.order"
cp "$kmods/modules.builtin" "$kmods/modules.builtin.modinfo" "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"
firmware="$(for module in $modules; do
    ko="$root/lib/modules/$kver/${module%.ko*}.ko"
    modinfo -F firmware "$ko" | sed "s|^|$(basename "$ko" .ko): |"
done)"

# The Java runtime: the modules the agent's jars need (jdeps), linked from the JDK.
if [ -n "$java_modules" ]; then
    runtime_modules="$java_modules"
else
    runtime_modules="$("$JAVA_HOME/bin/jdeps" -q --ignore-missing-deps --print-module-deps --multi-release "$java_major" \
        --class-path "$(printf '%s\n' "${jars[@]}" | paste -sd:)" "${jars[@]}")" || die "jdeps failed on the agent's jars"
fi
[ -z "$add_java_modules" ] || runtime_modules="$runtime_modules,$add_java_modules"
runtime_modules="$(echo "$runtime_modules" | tr ', ' '\n\n' | grep . | sort -u | paste -sd,)"
# Uncompressed (zip-0): the initrd is compressed as a whole, and better so; classes load without inflating.
"$JAVA_HOME/bin/jlink" --add-modules "$runtime_modules" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-0 --output "$root/opt/java" >&2
log "runtime linked: $runtime_modules ($((SECONDS - started)) s)"

# The host libraries the runtime's binaries load (glibc), at the paths ldd found them.
copied_libs="$(for elf in $(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) | sort); do
        ldd "$elf" 2>/dev/null || true
    done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 } $3 == "not" { print "missing:" $1 }' |
    grep -v "^$root/" | sort -u)"
for lib in $copied_libs; do
    case "$lib" in
        missing:*) # another library of the runtime itself (libjvm.so): loaded by then, by its path
            [ -n "$(find "$root/opt/java" -name "${lib#missing:}")" ] || die "the runtime needs ${lib#missing:}, which this host lacks"
            continue ;;
    esac
    package="$(owner_of "$lib")" || die "$lib: no Debian package owns it, so the cache key cannot name it"
    [[ " $lib_packages " == *" $package="* ]] || die "$lib is from $package, which the cache key does not name"
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done

# --debian-binary programs, and the libraries of theirs the runtime's did not bring.
debian_libs=()
for spec in "${debian_binaries[@]}"; do
    package="${spec%%:*}" path="${spec#*:}"
    mkdir -p "$root$(dirname "$path")"
    cp "$debian_unpacked/$package$path" "$root$path"
done
for lib in $(printf '%s\n' "${debian_lib_paths[@]}" | sort -u); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    debian_libs+=("${lib#/}")
done

# The agent. Jars that carry native libraries for every platform (zstd-jni: linux/amd64 and 20
# more; jffi's native jar: jni/x86_64-Linux and 24 more) go in with only the ramdisk's own,
# re-packed with the JDK's jar tool at a fixed date, so the ramdisk stays reproducible.
linux_x86_64_only() { # jar out
    local unpacked
    unpacked="$(mktemp -d "$work/jar.XXXXXX")"
    (cd "$unpacked" && "$JAVA_HOME/bin/jar" -xf "$1")
    rm -rf "$unpacked"/darwin "$unpacked"/freebsd "$unpacked"/win "$unpacked"/aix
    [ -d "$unpacked/linux" ] && find "$unpacked/linux" -mindepth 1 -maxdepth 1 ! -name amd64 -exec rm -rf {} +
    [ -d "$unpacked/jni" ] && find "$unpacked/jni" -mindepth 1 -maxdepth 1 ! -name x86_64-Linux -exec rm -rf {} +
    local entries=()
    mapfile -t entries < <(cd "$unpacked" && find . -type f | LC_ALL=C sort)   # a fixed entry order
    (cd "$unpacked" && "$JAVA_HOME/bin/jar" --create --no-manifest --date=2026-01-01T00:00:00Z --file "$2" "${entries[@]}")
    rm -rf "$unpacked"
}
for jar in "${jars[@]}"; do
    if "$JAVA_HOME/bin/jar" -tf "$jar" | grep -qE '^(linux/(aarch64|arm|ppc64le)/|jni/aarch64-Linux/)'; then
        linux_x86_64_only "$jar" "$root/opt/agent/lib/${jar##*/}"
    else
        cp "$jar" "$root/opt/agent/lib/"
    fi
done
cat >"$root/etc/metalboot/agent.env" <<ENV
# Written by packaging/build-ramdisk.sh; read by /init.
AGENT_MAIN='$main'
AGENT_CLASS_PATH='$class_path'
AGENT_CDS_ARCHIVE='/opt/agent/agent.jsa'
AGENT_JAVA_OPTIONS='$java_options'
ENV

# Same mtime everywhere: in the archive, and for the jars, whose mtime the CDS archive records.
fix_mtimes() { find "$root" -exec touch -h -d "@$epoch" {} +; }
fix_mtimes
# Java in the ramdisk's root, in namespaces of its own: a /proc there (the dynamic loader finds the
# runtime's libraries through /proc/self/exe) that goes away with them, and a PID namespace, in which
# a reboot or poweroff ends the namespace, not the build host.
# shellcheck disable=SC2086 # the options are separate words
in_root() {
    unshare --mount --propagation private --pid --fork --mount-proc="$root/proc" \
        chroot "$root" /opt/java/bin/java -XX:-UsePerfData $java_options "$@"
}

if [ -n "$write_class_list" ]; then
    in_root -XX:DumpLoadedClassList=/tmp/classlist -cp "$class_path" "$main" >&2
    cp "$root/tmp/classlist" "$write_class_list"
    log "wrote $write_class_list ($(grep -vc '^#' "$write_class_list") lines) from a run of $main"
    exit 0
fi

# The CDS archive: a static one from a fixed class list (the dump's bytes depend on its inputs only;
# a dynamic -XX:ArchiveClassesAtExit archive differs from run to run). Dumped in the ramdisk's own
# root, so paths, runtime and libraries are the ones the agent boots with.
if [ -n "$class_list" ]; then
    cp "$class_list" "$root/tmp/classlist"
else
    cp "$root/opt/java/lib/classlist" "$root/tmp/classlist"
fi
in_root -Xshare:dump -XX:SharedClassListFile=/tmp/classlist -XX:SharedArchiveFile=/opt/agent/agent.jsa \
    -cp "$class_path" >"$work/cds-dump.log" 2>&1 || { cat "$work/cds-dump.log" >&2; die "the CDS dump failed"; }
not_found="$(grep -c 'Preload Warning: Cannot find' "$work/cds-dump.log" || true)"
# Smoke test in the root: the runtime starts with the libraries copied, and maps the archive.
in_root -XX:SharedArchiveFile=/opt/agent/agent.jsa -Xshare:on -cp "$class_path" -version >"$work/smoke.log" 2>&1 ||
    { cat "$work/smoke.log" >&2; die "the runtime does not start in the ramdisk's root"; }
grep -q sharing "$work/smoke.log" || { cat "$work/smoke.log" >&2; die "the runtime does not map the CDS archive"; }
rm -rf "$root/tmp/classlist"
[ -z "$(ls -A "$root/tmp")" ] || die "the JVM left files in the root's /tmp: $(ls -A "$root/tmp")"
fix_mtimes
log "CDS archive dumped ($((SECONDS - started)) s)"

# --- the archive --------------------------------------------------------------------------------------
pack() { # directory, paths under it (all when none) -> newc archive on stdout
    (cd "$1" && shift && if [ $# -gt 0 ]; then find "$@"; else find . -mindepth 1; fi | sed 's|^\./||' | sort |
        cpio -o -H newc --reproducible --owner=0:0 --quiet)
}
mkdir -p "$work/out"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/out/vmlinuz"
pack "$root" | "${compress[@]}" >"$work/out/initrd.img"
log "initrd.img packed and compressed with $compression ($((SECONDS - started)) s)"

# --- the manifest: what went in, and the size table ------------------------------------------------
part_paths() {
    case "$1" in
        runtime) echo opt/java ;;
        modules) echo lib/modules ;;
        agent) echo opt/agent/lib ;;
        cds) echo opt/agent/agent.jsa ;;
        busybox) echo bin/busybox ;;
        libs) (cd "$root" && find lib lib64 -path lib/modules -prune -o -type f -print 2>/dev/null) |
            grep -vxF -f <(printf '%s\n' "${debian_libs[@]}" "${debian_binaries[@]#*:/}") ;;
        debian) printf '%s\n' "${debian_binaries[@]#*:/}" "${debian_libs[@]}" | grep . ;;
        rest) (cd "$root" && find . -mindepth 1 ! -type d | sed 's|^\./||' |
            grep -v -e '^opt/java/' -e '^lib/modules/' -e '^opt/agent/' -e '^bin/busybox$' -e '^lib/x86_64-linux-gnu/' -e '^lib64/' |
            grep -vxF -f <(printf '%s\n' "${debian_binaries[@]#*:/}" /)) ;;
    esac
}
mib() { awk -v b="$1" 'BEGIN { printf "%7.2f", b / 1048576 }'; }
{
    echo "== metalboot agent ramdisk (key $key)"
    echo "$key_text" | sed 's/^/key: /'
    echo "kernel release: $kver"
    echo "runtime modules: $runtime_modules"
    echo "kernel modules: $(echo "$shipped_names" | wc -l) ($(echo "$shipped_names" | sort | paste -sd' '))"
    echo "host libraries: $(echo "$copied_libs" | grep -v '^missing:' | paste -sd' ')"
    [ ${#debian_binaries[@]} = 0 ] || echo "debian binaries (part debian): ${debian_binaries[*]}, with ${debian_libs[*]:-no libraries of their own}"
    echo "CDS: static archive from class list $class_list_id; $not_found of its classes are not in this runtime or class path"
    echo "firmware the shipped modules declare (none of it is shipped):"
    echo "${firmware:-  none}" | sed 's/^/  /'
    printf '%-9s %9s %s\n' part "MiB" "$($size_report && echo "MiB $compression, alone")"
    printf '%-9s %9s\n' kernel "$(mib "$(stat -c %s "$work/out/vmlinuz")")"
    parts=(runtime modules agent cds busybox libs rest)
    [ ${#debian_binaries[@]} = 0 ] || parts+=(debian)
    for part in "${parts[@]}"; do
        # shellcheck disable=SC2046 # one path per word
        bytes="$(cd "$root" && du -cb --apparent-size $(part_paths "$part") | tail -n1 | cut -f1)"
        alone=
        if $size_report; then
            # shellcheck disable=SC2046
            alone="$(mib "$(pack "$root" $(part_paths "$part") | "${compress[@]}" | wc -c)")"
        fi
        printf '%-9s %9s %s\n' "$part" "$(mib "$bytes")" "$alone"
    done
    printf '%-9s %9s\n' "initrd" "$(mib "$(du -sb --apparent-size "$root" | cut -f1)")"
    printf '%-9s %9s %s\n' "initrd.img" "" "$(mib "$(stat -c %s "$work/out/initrd.img")") ($compression)"
    printf '%-9s %9s %s\n' "total" "" "$(mib $(($(stat -c %s "$work/out/vmlinuz") + $(stat -c %s "$work/out/initrd.img")))) (vmlinuz + initrd.img)"
    echo "sha256: $(cd "$work/out" && sha256sum vmlinuz initrd.img | paste -sd' ')"
} >"$work/out/manifest.txt"
printf '%s\n' "$key_text" >"$work/out/key.txt"
cat "$work/out/manifest.txt" >&2

if $use_cache; then
    if mv -T "$work/out" "$entry" 2>/dev/null; then
        # Keep the three most recently used ramdisks.
        find "$cache" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{20}' -printf '%T@ %p\n' |
            sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
        deliver "$entry"
    else
        deliver "$work/out" # another build stored the same key meanwhile
    fi
else
    deliver "$work/out"
fi
log "built $out/vmlinuz and $out/initrd.img in $((SECONDS - started)) s"
