package io.metalboot.lab.storm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every machine must receive, byte for byte: the boot file as it is on disk, the entry
 * script and the agent script as the appliance's own templates render them for this lab's
 * settings (only the boot token is the server's choice, and it must be one), and the ramdisk's
 * sizes and SHA-256 as the files are on disk.
 *
 * @param bootFile      the TFTP boot file's name in the OFFER ({@code snponly.efi})
 * @param bootFileBytes its content
 * @param baseUrl       {@code boot.base-url} as machines are given it ({@code http://10.203.0.3:8080})
 * @param attempts      {@code boot.attempts}
 * @param agentArgs     the default profile's kernel arguments
 */
record ExpectedBoot(String bootFile, byte[] bootFileBytes, String baseUrl, int attempts, String agentArgs,
                    Download kernel, Download initrd) {

    /** A ramdisk file: its URL path under the base URL, its size and SHA-256. */
    record Download(String path, long size, byte[] sha256) {
        static Download of(String path, Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest digest = ExpectedBoot.sha256();
                byte[] buffer = new byte[1 << 20];
                long size = 0;
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                    size += n;
                }
                return new Download(path, size, digest.digest());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z-]+)}}");
    private static final String TEMPLATES = "/io/metalboot/appliance/boot/";
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=([A-Za-z0-9_-]+)");

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The OFFER's boot file URL for iPXE: the ProxyDHCP's default {@code dhcp.ipxe-script-url}. */
    String entryUrl(StormMachine machine) {
        return baseUrl + "/boot.ipxe?mac=" + machine.macText();
    }

    byte[] entryScript() {
        return render("entry.ipxe", Map.of("base-url", baseUrl, "attempts", Integer.toString(attempts)));
    }

    /**
     * The agent script for a machine seen for the first time ({@code discovered}, default
     * profile), with the token the reply carries; empty when the reply carries none.
     */
    Optional<byte[]> agentScript(StormMachine machine, String reply) {
        Matcher token = TOKEN.matcher(reply);
        if (!token.find()) {
            return Optional.empty();
        }
        String mac = machine.macText();
        return Optional.of(render("agent.ipxe", Map.ofEntries(
                Map.entry("base-url", baseUrl),
                Map.entry("attempts", Integer.toString(attempts)),
                Map.entry("mac", mac),
                Map.entry("state", "discovered"),
                Map.entry("profile", "default"),
                Map.entry("kernel", baseUrl + kernel.path()),
                Map.entry("initrd", baseUrl + initrd.path()),
                Map.entry("initrd-name", initrd.path().substring(initrd.path().lastIndexOf('/') + 1)),
                Map.entry("args", agentArgs),
                Map.entry("bootif", "01-" + mac.replace(':', '-')),
                Map.entry("token", token.group(1)))));
    }

    static String token(String script) {
        Matcher token = TOKEN.matcher(script);
        return token.find() ? token.group(1) : "";
    }

    private static byte[] render(String template, Map<String, String> values) {
        String text;
        try (InputStream in = ExpectedBoot.class.getResourceAsStream(TEMPLATES + template)) {
            if (in == null) {
                throw new IllegalStateException("the appliance's template " + TEMPLATES + template + " is not on the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(matcher.group(1), "")));
        }
        matcher.appendTail(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
