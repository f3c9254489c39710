# Makes /etc/metalboot/metalboot.yaml from the appliance's metalboot-defaults.yaml: every option
# stays where the defaults file documents it, commented out ("#key: value", beside the "# text"
# of its documentation), except those the package sets (-v set="a.b=value;c.d=value"), which
# stay active with their parents. The appliance lays the file over the same defaults, so an
# option uncommented unchanged changes nothing.
BEGIN {
    n = split(set, pairs, ";")
    for (i = 1; i <= n; i++) {
        eq = index(pairs[i], "=")
        path = substr(pairs[i], 1, eq - 1)
        value[path] = substr(pairs[i], eq + 1)
        parent = path
        while (sub(/\.[^.]*$/, "", parent)) active[parent] = 1
    }
}
/^[ \t]*(#|$)/ { print; next }
{
    match($0, /^ */)
    indent = RLENGTH
    text = substr($0, indent + 1)
    key = text
    sub(/:.*/, "", key)
    depth = indent / 2
    name[depth] = key
    path = name[0]
    for (d = 1; d <= depth; d++) path = path "." name[d]
    if (path in value) {
        was = text
        sub(/^[^:]*:[ \t]*/, "", was)
        sub(/[ \t]+#.*$/, "", was)
        printf "%s%s: %s   # set by the package (built-in default: %s)\n", substr($0, 1, indent), key, value[path], was
        seen[path] = 1
    } else if (path in active) {
        print
    } else {
        print substr($0, 1, indent) "#" text
    }
}
END {
    for (path in value) if (!(path in seen)) { print "conffile.awk: no option " path " in the defaults" > "/dev/stderr"; exit 1 }
}
