# Sourced by the project's commands: picks a JDK >= 21 and quiets the JVM's warnings about
# libraries it cannot change (Maven's own guice on JDK 23+).
# Order: $JAVA_HOME if it is >= 21, then `java` on PATH, then the newest JDK under /usr/lib/jvm.
java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}
metalboot_pick_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
        $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
        # a JDK, not a JRE: the build needs javac beside java
        [ -n "$candidate" ] && [ -x "$candidate" ] && [ -x "$(dirname "$(readlink -f "$candidate")")/javac" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ] 2>/dev/null; then
            JAVA_HOME=$(cd "$(dirname "$(readlink -f "$candidate")")/.." && pwd)
            export JAVA_HOME
            if [ "${major%%.*}" -ge 23 ]; then
                export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
            fi
            return 0
        fi
    done
    echo "metalboot: no JDK >= 21 found (JAVA_HOME, PATH, /usr/lib/jvm)" >&2
    return 1
}
metalboot_pick_jdk
