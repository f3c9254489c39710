package io.metalboot.agent.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What depmod wrote for one kernel in {@code /lib/modules/KVER/}, read once and immutable: which
 * modules a modalias asks for, and in what order to load them with what they need. Resolution
 * follows kmod's modprobe:
 * <ul>
 * <li>modules.alias: every module with a pattern that matches (fnmatch) is wanted, not only the
 * first: a device may be driven by several (a NIC's driver and its hwmon or PTP helper).</li>
 * <li>modules.dep: {@code path: dep1 dep2 ...} lists the module's whole dependency closure, and
 * depmod orders it so that the last one loads first (kmod reads the list into a reversed list and
 * loads front to back; busybox modprobe loads it from the end). Each dependency's own line is
 * followed too, so the order holds even for a hand-written file that lists direct ones only.</li>
 * <li>modules.softdep: {@code softdep MOD pre: a b post: c}: the pre modules (names or aliases)
 * load before MOD, the post ones after it, each with its own chain. Words before any
 * {@code pre:}/{@code post:} (the kernel's {@code softdep cifs gcm}) are ignored, as kmod does.</li>
 * <li>modules.builtin: a module built into the kernel resolves to nothing to load.</li>
 * </ul>
 * Module names are compared with {@code -} read as {@code _}.
 */
public final class ModuleIndex {
    private final Path modulesDir;
    private final Map<String, String> pathByName;
    private final Map<String, List<String>> dependencies;
    private final Map<String, List<String>> softPre;
    private final Map<String, List<String>> softPost;
    private final Set<String> builtin;
    /** Alias patterns by their literal prefix: a modalias is matched only against patterns whose
     * prefix it starts with, so a PCI modalias meets the few dozen patterns of its vendor and
     * device and the class-wide ones, not all 26,000 lines. */
    private final Map<String, List<AliasPattern>> aliasesByPrefix;
    private final int[] prefixLengths;

    private ModuleIndex(Path modulesDir, Map<String, String> pathByName, Map<String, List<String>> dependencies,
            Map<String, List<String>> softPre, Map<String, List<String>> softPost, Set<String> builtin,
            Map<String, List<AliasPattern>> aliasesByPrefix) {
        this.modulesDir = modulesDir;
        this.pathByName = Map.copyOf(pathByName);
        this.dependencies = copyOfLists(dependencies);
        this.softPre = copyOfLists(softPre);
        this.softPost = copyOfLists(softPost);
        this.builtin = Set.copyOf(builtin);
        this.aliasesByPrefix = copyOfLists(aliasesByPrefix);
        this.prefixLengths = aliasesByPrefix.keySet().stream().mapToInt(String::length).distinct().sorted().toArray();
    }

    /**
     * Reads modules.alias and modules.dep (both needed) and modules.softdep and modules.builtin
     * (absent: none) of a {@code /lib/modules/KVER} directory.
     */
    public static ModuleIndex read(Path modulesDir) throws IOException {
        Map<String, String> pathByName = new HashMap<>();
        Map<String, List<String>> dependencies = new HashMap<>();
        for (String line : lines(modulesDir.resolve("modules.dep"), true)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).strip();
            String name = KernelModule.nameOfPath(path);
            pathByName.put(name, path);
            dependencies.put(name, words(line.substring(colon + 1)).stream().map(KernelModule::nameOfPath).toList());
        }

        Map<String, List<AliasPattern>> aliasesByPrefix = new HashMap<>();
        int number = 0;
        for (String line : lines(modulesDir.resolve("modules.alias"), true)) {
            number++;
            List<String> words = words(line);
            if (words.size() == 3 && words.get(0).equals("alias")) {
                AliasPattern alias = new AliasPattern(words.get(1), KernelModule.normalise(words.get(2)), number);
                aliasesByPrefix.computeIfAbsent(alias.literalPrefix(), prefix -> new ArrayList<>()).add(alias);
            }
        }

        Map<String, List<String>> softPre = new HashMap<>();
        Map<String, List<String>> softPost = new HashMap<>();
        for (String line : lines(modulesDir.resolve("modules.softdep"), false)) {
            List<String> words = words(line);
            if (words.size() < 2 || !words.get(0).equals("softdep")) {
                continue;
            }
            String name = KernelModule.normalise(words.get(1));
            Map<String, List<String>> into = null;
            for (String word : words.subList(2, words.size())) {
                switch (word) {
                    case "pre:" -> into = softPre;
                    case "post:" -> into = softPost;
                    default -> {
                        if (into != null) {
                            into.computeIfAbsent(name, n -> new ArrayList<>()).add(word);
                        }
                    }
                }
            }
        }

        Set<String> builtin = new HashSet<>();
        for (String line : lines(modulesDir.resolve("modules.builtin"), false)) {
            builtin.add(KernelModule.nameOfPath(line.strip()));
        }
        return new ModuleIndex(modulesDir, pathByName, dependencies, softPre, softPost, builtin, aliasesByPrefix);
    }

    /**
     * The modules a modalias asks for, each after its dependencies and pre softdeps (and before
     * its post softdeps), in load order, each once. Empty when no alias matches, or only built-in
     * modules do.
     */
    public List<KernelModule> resolve(String modalias) {
        LinkedHashMap<String, KernelModule> order = new LinkedHashMap<>();
        Set<String> visiting = new HashSet<>();
        for (String name : matchingModules(modalias)) {
            addWithChain(name, order, visiting);
        }
        return List.copyOf(order.values());
    }

    /** One module by name with its chain, in load order (it comes last but for post softdeps); empty when built in or unknown. */
    public List<KernelModule> loadOrder(String moduleName) {
        LinkedHashMap<String, KernelModule> order = new LinkedHashMap<>();
        addWithChain(KernelModule.normalise(moduleName), order, new HashSet<>());
        return List.copyOf(order.values());
    }

    /** The names of the modules with an alias pattern that matches, in modules.alias order, each once, without their dependencies. */
    public List<String> matchingModules(String modalias) {
        List<AliasPattern> matches = new ArrayList<>();
        for (int length : prefixLengths) {
            if (length > modalias.length()) {
                break;
            }
            List<AliasPattern> candidates = aliasesByPrefix.get(modalias.substring(0, length));
            if (candidates != null) {
                for (AliasPattern candidate : candidates) {
                    if (candidate.matches(modalias)) {
                        matches.add(candidate);
                    }
                }
            }
        }
        matches.sort(Comparator.comparingInt(AliasPattern::line));
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (AliasPattern match : matches) {
            names.add(match.module());
        }
        return List.copyOf(names);
    }

    /** A loadable module of this kernel by name. */
    public Optional<KernelModule> module(String name) {
        String normalised = KernelModule.normalise(name);
        String path = pathByName.get(normalised);
        return path == null ? Optional.empty() : Optional.of(new KernelModule(normalised, modulesDir.resolve(path)));
    }

    public boolean isBuiltin(String name) {
        return builtin.contains(KernelModule.normalise(name));
    }

    /** How many loadable modules modules.dep lists. */
    public int moduleCount() {
        return pathByName.size();
    }

    private void addWithChain(String name, LinkedHashMap<String, KernelModule> order, Set<String> visiting) {
        // visiting breaks softdep cycles (a pre: b, b post: a): a module is not waited for by itself.
        if (order.containsKey(name) || builtin.contains(name) || !pathByName.containsKey(name) || !visiting.add(name)) {
            return;
        }
        List<String> deps = dependencies.getOrDefault(name, List.of());
        for (int i = deps.size() - 1; i >= 0; i--) {
            addWithChain(deps.get(i), order, visiting);
        }
        for (String soft : softPre.getOrDefault(name, List.of())) {
            for (String target : softdepTargets(soft)) {
                addWithChain(target, order, visiting);
            }
        }
        order.put(name, new KernelModule(name, modulesDir.resolve(pathByName.get(name))));
        for (String soft : softPost.getOrDefault(name, List.of())) {
            for (String target : softdepTargets(soft)) {
                addWithChain(target, order, visiting);
            }
        }
        visiting.remove(name);
    }

    /** A softdep names a module, or an alias (crypto-crc32c, platform:idma64) that modules answer to. */
    private List<String> softdepTargets(String word) {
        String name = KernelModule.normalise(word);
        if (pathByName.containsKey(name) || builtin.contains(name)) {
            return List.of(name);
        }
        return matchingModules(word);
    }

    private static List<String> lines(Path file, boolean required) throws IOException {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String text = line.strip();
                if (!text.isEmpty() && !text.startsWith("#")) {
                    lines.add(text);
                }
            }
            return lines;
        } catch (NoSuchFileException e) {
            if (required) {
                throw e;
            }
            return List.of();
        }
    }

    private static List<String> words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split("\\s+"));
    }

    private static <K, V> Map<K, List<V>> copyOfLists(Map<K, List<V>> map) {
        Map<K, List<V>> copy = new HashMap<>();
        map.forEach((key, list) -> copy.put(key, List.copyOf(list)));
        return Map.copyOf(copy);
    }

    @Override
    public String toString() {
        return "ModuleIndex[" + modulesDir + ", " + pathByName.size() + " modules]";
    }
}
