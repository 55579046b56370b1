package dev.loraplane.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Directories of small files (adapters, checkpoints) as zips, and back, refusing entries that escape. */
public final class Zips {

    private Zips() {}

    /** The regular files directly in {@code dir}, in name order, zipped in memory (adapters are megabytes). */
    public static byte[] zip(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(dir, bytes);
        return bytes.toByteArray();
    }

    /** Writes the zip of {@code dir}'s regular files to {@code out}. */
    public static void write(Path dir, OutputStream out) {
        try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks a flat zip into {@code target}, which must not exist yet: files appear in a sibling
     * temporary directory first and move into place whole, so a reader never sees half of them.
     *
     * @throws IllegalArgumentException for an entry with a path (a zip that tries to write elsewhere),
     *     or more than {@code maxBytes} uncompressed
     */
    public static void unzip(InputStream in, Path target, long maxBytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + "-");
        try {
            long total = 0;
            try (ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    String name = entry.getName();
                    if (entry.isDirectory() || name.contains("/") || name.contains("\\") || name.equals("..") || name.isBlank()) {
                        throw new IllegalArgumentException("zip entry '" + name + "' is not a plain file name");
                    }
                    try (OutputStream out = Files.newOutputStream(temp.resolve(name))) {
                        byte[] buffer = new byte[1 << 16];
                        for (int n = zip.read(buffer); n > 0; n = zip.read(buffer)) {
                            total += n;
                            if (total > maxBytes) {
                                throw new IllegalArgumentException("the zip unpacks to more than " + maxBytes + " bytes");
                            }
                            out.write(buffer, 0, n);
                        }
                    }
                }
            }
            Files.move(temp, target);
        } finally {
            if (Files.exists(temp)) {
                try (Stream<Path> files = Files.list(temp)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(temp);
            }
        }
    }
}
