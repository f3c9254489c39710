package io.metalboot.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * A read-only directory served to machines (over TFTP, over HTTP), and the one check that a name
 * inside it stays inside it: the name is resolved with every symlink followed, and the result
 * must still lie inside the directory's own real path and be a regular file. So a symlink in the
 * directory that points out of it serves nothing. Each protocol checks its names as text first
 * (its own rules: '..', encodings, lengths) and words the answers its own way.
 */
public final class ServedDirectory {
    /** What a relative name came to. */
    public sealed interface Lookup {
    }

    /** A regular file inside the directory, as its real path. */
    public record Found(Path file) implements Lookup {
    }

    /** Nothing by that name. */
    public record Missing() implements Lookup {
    }

    /** The name is the directory itself. */
    public record NamesDirectory() implements Lookup {
    }

    /** The name resolves (through a symlink) to {@code real}, outside the directory. */
    public record Outside(Path real) implements Lookup {
    }

    /** Inside, but a directory, FIFO or device: a FIFO would block a reader forever. */
    public record NotRegularFile() implements Lookup {
    }

    /** The file system would not say (permissions, I/O error). */
    public record Unresolvable(Exception cause) implements Lookup {
    }

    private final Path realRoot;

    /** @throws IOException if {@code root} is not an existing directory */
    public ServedDirectory(Path root) throws IOException {
        this.realRoot = root.toRealPath();
        if (!Files.isDirectory(realRoot)) {
            throw new NotDirectoryException(root.toString());
        }
    }

    public Path realRoot() {
        return realRoot;
    }

    /** {@code relative}: '/'-separated, already checked as text by the caller (no '..' segment). */
    public Lookup lookup(String relative) {
        Path candidate = realRoot;
        for (String segment : relative.split("/")) {
            // Empty and "." segments name nothing: "a//b" is "a/b", and "//etc" stays inside.
            if (!segment.isEmpty() && !segment.equals(".")) {
                candidate = candidate.resolve(segment);
            }
        }
        if (candidate.equals(realRoot)) {
            return new NamesDirectory();
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (IOException | SecurityException e) {
            return new Unresolvable(e);
        }
        if (!real.startsWith(realRoot)) {
            return new Outside(real);
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            return new NotRegularFile();
        }
        return new Found(real);
    }
}
