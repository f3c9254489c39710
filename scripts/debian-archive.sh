# Sourced by the scripts that build Debian roots from the host's own apt sources (the lab's node
# image, the .deb's test root). Defines:
#   debian_archive SUITE   sets `mirror` (SUITE's URI), `suite_mirrors` ("URI SUITE" for SUITE,
#                          SUITE-updates and SUITE-security where the sources name them) and
#                          `index_hashes` (each suite's main/binary-amd64/Packages sha256 as its
#                          InRelease publishes it now: what a cache key of a root built from them
#                          needs, as the same indexes give debootstrap and apt the same versions).
# The caller defines log and die. Components: main only. (InRelease is fetched over plain HTTP only
# to be compared; debootstrap and apt check the signatures of what they install.)

# -> lines "URI SUITE" for every enabled deb entry with component main, in
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources} (deb822).
apt_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { for (i = 4; i <= NF; i++) if ($i == "main") { print $2, $3; break } }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: stanzas separated by blank lines; every URI x every suite of a stanza.
        awk 'function flush() { if (types ~ /(^| )deb( |$)/ && comps ~ /(^| )main( |$)/ && enabled != "no")
                                  { n = split(uris, u, " "); m = split(suites, s, " ");
                                    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j] }
                              types = uris = suites = comps = ""; enabled = "yes" }
             BEGIN { enabled = "yes" }
             /^[ \t]*#/ { next }
             /^[ \t]*$/ { flush(); next }
             { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
               if (key == "types") types = $0; else if (key == "uris") uris = $0;
               else if (key == "suites") suites = $0; else if (key == "components") comps = $0;
               else if (key == "enabled") enabled = tolower($0) }
             END { flush() }' "$f"
    done
}

debian_archive() {
    local suite="$1" sources m s extra pair release hash
    sources="$(apt_sources)"
    # (Here-strings, not echo | awk: awk leaving at its first match would fail the echo under pipefail.)
    mirror_of() { awk -v s="$1" '$2 == s { sub(/\/+$/, "", $1); print $1; exit }' <<<"$sources"; }
    mirror="$(mirror_of "$suite")"
    [ -n "$mirror" ] || die "the host's apt sources name no mirror for $suite main (/etc/apt/sources.list{,.d})"
    suite_mirrors=("$mirror $suite")
    for extra in "$suite-updates" "$suite-security"; do
        m="$(mirror_of "$extra")"
        if [ -n "$m" ]; then suite_mirrors+=("$m $extra"); else log "the host's apt sources name no $extra: the root goes without it"; fi
    done
    index_hashes=()
    for pair in "${suite_mirrors[@]}"; do
        m="${pair% *}" s="${pair#* }"
        release="$(curl -fsS --retry 2 --max-time 60 "$m/dists/$s/InRelease")" || die "cannot read $m/dists/$s/InRelease (the mirror of the host's apt sources)"
        hash="$(awk '/^SHA256:/ { in256 = 1; next } /^[^ ]/ { in256 = 0 }
                     in256 && $3 == "main/binary-amd64/Packages" { print $1; exit }' <<<"$release")"
        [ -n "$hash" ] || die "$m/dists/$s/InRelease lists no main/binary-amd64/Packages"
        index_hashes+=("$m $s main/binary-amd64/Packages sha256 $hash")
    done
}
