package io.metalboot.packaging;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.metalboot.agent.boot.KernelModule;
import io.metalboot.agent.boot.ModuleIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@link ModuleIndex} against the kernel the ramdisk ships: {@code build-ramdisk.sh
 * --kernel-tree} downloads it (or takes the cached .deb), runs depmod and hands over modules.alias,
 * modules.dep, modules.softdep and modules.builtin. Every line of {@code modaliases.txt} (one real
 * modalias per driver of modules.list, its source cited) must resolve to that driver after its
 * whole chain.
 *
 * <p>What is expected is worked out here again, not through the code under test: alias patterns
 * as regexes, closures from the raw modules.dep and modules.softdep. A modalias may match other
 * modules beside the named driver (a class-wide alias, a helper that binds the same IDs): they and
 * their chains are expected too, and printed, but the named driver must be among them.
 *
 * <p>Needs apt, dpkg and kmod and the Debian archive (or the cached kernel .deb); without them it
 * skips, except under {@code CI=true} or {@code -Dmetalboot.packaging.required=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModaliasFixtureTest {
    private static final long BUILD_TIMEOUT_SECONDS = 900;

    private final Path home = Path.of(System.getProperty("metalboot.packaging.home", ".")).toAbsolutePath().normalize();
    private Path tree;
    private ModuleIndex index;
    private String release;
    private final Map<String, List<String>> rawDependencies = new HashMap<>();
    private final Map<String, List<String>> rawSoftPre = new HashMap<>();
    private final Map<String, List<String>> rawSoftPost = new HashMap<>();
    private final Set<String> rawBuiltin = new HashSet<>();
    private final List<RawAlias> rawAliases = new ArrayList<>();

    private record RawAlias(Pattern pattern, String module) {
    }

    private record FixtureLine(String driver, String modalias, String source) {
    }

    @TempDir
    Path dir;

    /** Made by the first test that needs it; skips (or fails, when required) without apt, dpkg, kmod. */
    private synchronized void theShippedKernelsModulesTree() throws IOException, InterruptedException {
        if (index != null) {
            return;
        }
        Prerequisites.requireNone("the ramdisk's kernel cannot be downloaded and depmod run here",
                Prerequisites.missingPrograms(List.of(new Prerequisites.Program("apt-get", "apt"),
                        new Prerequisites.Program("apt-cache", "apt"), new Prerequisites.Program("dpkg-deb", "dpkg"),
                        new Prerequisites.Program("depmod", "kmod"))));
        tree = dir.resolve("kernel-tree");
        Path log = dir.resolve("build-ramdisk.log");
        Process process = new ProcessBuilder("bash", home.resolve("build-ramdisk.sh").toString(), "--kernel-tree", tree.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            fail("build-ramdisk.sh --kernel-tree ran longer than " + BUILD_TIMEOUT_SECONDS + " s: " + Files.readString(log));
        }
        assertEquals(0, process.exitValue(), "build-ramdisk.sh --kernel-tree:\n" + Files.readString(log));
        release = Files.readString(tree.resolve("release")).strip();
        index = ModuleIndex.read(tree);
        readRawFiles();
        System.out.println("kernel " + release + ": " + rawDependencies.size() + " modules, " + rawAliases.size()
                + " aliases, " + rawBuiltin.size() + " built in");
    }

    @Test
    void theFixtureHasALineForEveryDriverOfModulesList() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(home.resolve("ramdisk/modules.list"))) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                listed.add(name.replace('-', '_'));
            }
        }
        // No device asks for crc64_rocksoft_generic: crc64-rocksoft requests it from the crypto API.
        listed.remove("crc64_rocksoft_generic");
        // Nor ipmi_msghandler and ipmi_devintf: ipmi_si depends on the one, whose softdep is the other.
        listed.removeAll(Set.of("ipmi_msghandler", "ipmi_devintf"));
        // Nor filesystems: the agent loads ext4 and xfs by name before it mounts the written root.
        listed.removeAll(Set.of("ext4", "xfs"));
        Set<String> covered = new TreeSet<>();
        fixture().forEach(line -> covered.add(line.driver()));
        assertTrue(covered.containsAll(listed), "modaliases.txt has no line for " + difference(listed, covered));
    }

    @Test
    void theFilesystemsTheAgentMountsAreModulesOfThisKernelWithTheirChains() {
        for (String filesystem : List.of("ext4", "xfs")) {
            assertTrue(index.module(filesystem).isPresent(), filesystem + " is no module of kernel " + release);
            List<String> chain = index.loadOrder(filesystem).stream().map(m -> m.name()).toList();
            assertEquals(filesystem, chain.getLast(), "loaded last, after what it needs: " + chain);
        }
        assertTrue(index.loadOrder("ext4").stream().anyMatch(m -> m.name().equals("jbd2")), "ext4 needs its journal");
    }

    /** One test, not one per line: a skip (no apt, dpkg or kmod) shows as a skip, with its reason. Every line is checked. */
    @Test
    void eachFixtureModaliasResolvesToItsDriverAfterItsWholeChain() throws IOException, InterruptedException {
        theShippedKernelsModulesTree();
        List<FixtureLine> lines = fixture();
        assertFalse(lines.isEmpty(), "modaliases.txt is empty");
        assertAll(lines.stream().map(line -> () -> check(line)));
    }

    private void check(FixtureLine line) {
        List<KernelModule> resolved = index.resolve(line.modalias());
        List<String> order = resolved.stream().map(KernelModule::name).toList();
        assertFalse(order.isEmpty(), line.modalias() + " resolves to nothing");

        Set<String> matched = rawMatches(line.modalias());
        assertTrue(matched.contains(line.driver()), line.modalias() + " matches no alias of " + line.driver() + " (matches " + matched + ")");
        assertEquals(matched, new LinkedHashSet<>(index.matchingModules(line.modalias())), "the modules whose aliases match");

        // Each module after all that it needs: modules.dep's whole list and its pre softdeps.
        for (int i = 0; i < order.size(); i++) {
            String module = order.get(i);
            Set<String> before = new HashSet<>(order.subList(0, i));
            for (String dep : rawDependencies.getOrDefault(module, List.of())) {
                assertTrue(before.contains(dep), module + " before its dependency " + dep + ": " + order);
            }
            for (String soft : rawSoftPre.getOrDefault(module, List.of())) {
                for (String target : softTargets(soft)) {
                    assertTrue(before.contains(target) || rawBuiltin.contains(target),
                            module + " before its pre softdep " + target + ": " + order);
                }
            }
        }

        Set<String> driverPart = closure(line.driver());
        Set<String> expected = new TreeSet<>();
        matched.forEach(module -> expected.addAll(closure(module)));
        assertEquals(expected, new TreeSet<>(order), "exactly the matched modules' closures");
        assertTrue(order.containsAll(driverPart), line.driver() + "'s closure " + driverPart + " in " + order);
        assertEquals(order.size(), new HashSet<>(order).size(), "each module once: " + order);

        Set<String> others = new TreeSet<>(matched);
        others.remove(line.driver());
        System.out.println(line.driver() + " <- " + line.modalias() + ": " + String.join(" ", order)
                + (others.isEmpty() ? "" : "   (also matched: " + String.join(" ", others) + ")"));
    }

    /** The module and everything modules.dep and modules.softdep (pre and post) bring, transitively; built-in ones are not loaded. */
    private Set<String> closure(String module) {
        Set<String> seen = new TreeSet<>();
        Deque<String> queue = new ArrayDeque<>(List.of(module));
        while (!queue.isEmpty()) {
            String next = queue.pop();
            if (rawBuiltin.contains(next) || !rawDependencies.containsKey(next) || !seen.add(next)) {
                continue;
            }
            queue.addAll(rawDependencies.get(next));
            for (String soft : rawSoftPre.getOrDefault(next, List.of())) {
                queue.addAll(softTargets(soft));
            }
            for (String soft : rawSoftPost.getOrDefault(next, List.of())) {
                queue.addAll(softTargets(soft));
            }
        }
        return seen;
    }

    private Set<String> softTargets(String word) {
        String name = word.replace('-', '_');
        return rawDependencies.containsKey(name) || rawBuiltin.contains(name) ? Set.of(name) : rawMatches(word);
    }

    private Set<String> rawMatches(String modalias) {
        Set<String> modules = new LinkedHashSet<>();
        for (RawAlias alias : rawAliases) {
            if (alias.pattern().matcher(modalias).matches()) {
                modules.add(alias.module());
            }
        }
        return modules;
    }

    private void readRawFiles() throws IOException {
        for (String line : Files.readAllLines(tree.resolve("modules.dep"), StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                List<String> deps = new ArrayList<>();
                for (String dep : line.substring(colon + 1).trim().split("\\s+")) {
                    if (!dep.isEmpty()) {
                        deps.add(moduleName(dep));
                    }
                }
                rawDependencies.put(moduleName(line.substring(0, colon)), deps);
            }
        }
        for (String line : Files.readAllLines(tree.resolve("modules.alias"), StandardCharsets.UTF_8)) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[0].equals("alias")) {
                rawAliases.add(new RawAlias(globRegex(words[1]), words[2].replace('-', '_')));
            }
        }
        for (String line : Files.readAllLines(tree.resolve("modules.softdep"), StandardCharsets.UTF_8)) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("softdep")) {
                continue;
            }
            Map<String, List<String>> into = null;
            for (int i = 2; i < words.length; i++) {
                if (words[i].equals("pre:")) {
                    into = rawSoftPre;
                } else if (words[i].equals("post:")) {
                    into = rawSoftPost;
                } else if (into != null) {
                    into.computeIfAbsent(words[1].replace('-', '_'), name -> new ArrayList<>()).add(words[i]);
                }
            }
        }
        for (String line : Files.readAllLines(tree.resolve("modules.builtin"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rawBuiltin.add(moduleName(line.trim()));
            }
        }
    }

    private static String moduleName(String path) {
        return path.replaceAll(".*/", "").replaceAll("\\.ko(\\.(xz|zst|gz))?$", "").replace('-', '_');
    }

    /** A modules.alias glob as a regex: * and ? any characters, [...] a set ([!...] its complement). */
    private static Pattern globRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            int close = c == '[' ? glob.indexOf(']', i + 2) : -1;
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (close > 0) {
                String set = glob.substring(i + 1, close);
                if (set.startsWith("!")) {
                    set = "^" + set.substring(1);
                }
                regex.append('[').append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private List<FixtureLine> fixture() throws IOException {
        List<FixtureLine> lines = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("src/test/resources/modaliases.txt"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int hash = line.indexOf("  # ");
            assertTrue(hash > 0, "no source cited: " + line);
            String[] words = line.substring(0, hash).trim().split("\\s+");
            assertEquals(2, words.length, "not DRIVER MODALIAS: " + line);
            lines.add(new FixtureLine(words[0], words[1], line.substring(hash + 4).trim()));
        }
        return lines;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }
}
