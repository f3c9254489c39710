#!/usr/bin/env bash
# Checks vagrant/Vagrantfile with `vagrant validate`: Vagrant's and vagrant-libvirt's own checks of
# every machine's settings, with no libvirtd and no VM (libvirt VMs cannot run where CI runs).
# It validates the default settings and a larger set, and shows that validation catches what it
# should: a bad setting, a missing .deb, and two copies of the file each with one provider setting
# made invalid must each be refused with the error that names it. Installs nothing.
# Prints an "ok: " line per check. Exit 0: every check passed; 1: one failed; 2: vagrant or the
# vagrant-libvirt plugin is missing (Debian: apt-get install --no-install-recommends vagrant vagrant-libvirt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v vagrant >/dev/null; then
    echo "validate-vagrantfile: vagrant is not installed (Debian: apt-get install --no-install-recommends vagrant vagrant-libvirt)" >&2
    exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A fresh Vagrant home: nothing of the user's (~/.vagrant.d: a global Vagrantfile, plugins, boxes)
# changes the result, so the plugin must be a system one, as Debian's package installs it.
export VAGRANT_HOME="$work/home" VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DEFAULT_PROVIDER=libvirt
# Vagrant makes the project's data directory (.vagrant/) even to validate: not in the source tree.
export VAGRANT_DOTFILE_PATH="$work/dotfile"
# The defaults are the Vagrantfile's, not the caller's settings.
unset LIBVIRT_DEFAULT_URI $(compgen -e | grep '^METALBOOT_' || true)

ok() { echo "ok: $*"; }
fail() {
    echo "FAILED: $1" >&2
    printf '%s\n' "$2" >&2
    exit 1
}
# validate DIR [VAR=VALUE...]: vagrant validate in DIR with those settings; sets out and rc.
validate() {
    local dir="$1"
    shift
    rc=0
    out="$(cd "$dir" && env "$@" vagrant validate 2>&1)" || rc=$?
    # Listed is not loaded (VAGRANT_NO_PLUGINS=1 lists it too): what counts is the provider.
    if grep -q "The provider 'libvirt' could not be found" <<<"$out"; then
        echo "validate-vagrantfile: vagrant has no libvirt provider: the vagrant-libvirt plugin is not installed or not loaded (Debian: apt-get install --no-install-recommends vagrant-libvirt)" >&2
        printf '%s\n' "$out" >&2
        exit 2
    fi
}
expect_valid() { # WHAT DIR [VAR=VALUE...]
    local what="$1"
    shift
    validate "$@"
    [ "$rc" -eq 0 ] && grep -q 'Vagrantfile validated successfully' <<<"$out" ||
        fail "$what: vagrant validate passes (exit $rc)" "$out"
    ok "$what: valid"
}
expect_refused() { # WHAT ERROR DIR [VAR=VALUE...]
    local what="$1" error="$2"
    shift 2
    validate "$@"
    [ "$rc" -ne 0 ] && grep -qF -- "$error" <<<"$out" ||
        fail "$what: vagrant validate fails with \"$error\" (exit $rc)" "$out"
    ok "$what: refused (\"$error\")"
}

# The file provisioner's source must exist. Where packaging's build (as root) made no .deb, an
# empty stand-in is validated instead: vagrant checks only that the file is there.
deb="$(dirname "$here")/packaging/target/metalboot_amd64.deb"
deb_setting=()
# The copies below live in a temporary directory, where the Vagrantfile's default path (relative to
# it) names nothing: they are always told where the .deb is.
copy_deb_setting=(METALBOOT_DEB="$deb")
if [ -f "$deb" ]; then
    echo "validate-vagrantfile: the .deb is the built one, at the default path"
else
    touch "$work/metalboot_amd64.deb"
    deb_setting=(METALBOOT_DEB="$work/metalboot_amd64.deb")
    copy_deb_setting=("${deb_setting[@]}")
    echo "validate-vagrantfile: no built .deb at $deb; an empty stand-in is validated instead"
fi

expect_valid "the default settings (2 machines: machine-1 UEFI, machine-2 BIOS; 3 disks each)" "$here" "${deb_setting[@]}"
expect_valid "5 machines, 2 of them UEFI, 2 disks each, 192.168.56.0/24" "$here" "${deb_setting[@]}" \
    METALBOOT_MACHINES=5 METALBOOT_UEFI_MACHINES=2 METALBOOT_DISKS=40G,10G METALBOOT_SUBNET=192.168.56.0/24
expect_refused "more UEFI machines than machines" "METALBOOT_UEFI_MACHINES=3: must be a whole number from 0 to 2" \
    "$here" "${deb_setting[@]}" METALBOOT_UEFI_MACHINES=3
expect_refused "a .deb that is not there" "File upload source file $work/missing.deb must exist" \
    "$here" METALBOOT_DEB="$work/missing.deb"

# broken NAME SED: copy becomes a copy of the Vagrantfile (and the scripts it names) with SED
# applied, which must have changed it.
broken() {
    copy="$work/$1"
    mkdir "$copy"
    cp -r "$here/Vagrantfile" "$here/provision" "$copy/"
    sed -i "$2" "$copy/Vagrantfile"
    ! cmp -s "$here/Vagrantfile" "$copy/Vagrantfile" || fail "the edit '$2' changes the copy of the Vagrantfile" ""
}
# vagrant-libvirt's own rules: a UEFI machine's nvram without its loader.
broken no-loader '/^ *l\.loader = /d'
expect_refused "a copy whose UEFI machines have nvram but no loader" \
    "use of 'nvram' requires a 'loader' to be specified" "$copy" "${copy_deb_setting[@]}"
# The provider's settings are the plugin's: a misspelt one is no setting.
broken misspelt 's/l\.mgmt_attach = false/l.mgmt_atach = false/'
expect_refused "a copy with a misspelt libvirt setting" \
    "The following settings shouldn't exist: mgmt_atach" "$copy" "${copy_deb_setting[@]}"

echo "validate-vagrantfile: every check passed in ${SECONDS} s"
