package dev.loraplane.orchestrator.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Bytes stored by their sha256 under {@code <root>/sha256/ab/cdef…}: the same content is stored once,
 * and a stored blob never changes. A blob appears whole or not at all (written aside, then moved).
 */
public final class ArtifactStore {

    /** A stored blob. */
    public record Blob(String sha256, long bytes) {}

    private final Path root;

    public ArtifactStore(Path root) {
        this.root = root;
    }

    /** Hashes {@code file} and moves it into the store (or drops it when the content is already there). */
    public Blob putMoving(Path file) {
        try {
            String sha = sha256(file);
            long bytes = Files.size(file);
            Path target = path(sha);
            if (Files.exists(target)) {
                Files.delete(file);
            } else {
                Files.createDirectories(target.getParent());
                Path temp = target.resolveSibling("." + sha + ".partial");
                Files.move(file, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Blob(sha, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + file + " in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Where the blob with this sha256 lies. */
    public Path path(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
    }

    public boolean contains(String sha256) {
        return Files.exists(path(sha256));
    }

    /** The hex sha256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
