package dev.loraplane.orchestrator.api;

import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.lora.PeftConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip of a PEFT adapter directory, unpacked with care: {@code adapter_config.json} and {@code
 * adapter_model.safetensors} are taken from the top of the archive or from one top-level folder and
 * written under fixed names, nothing else is unpacked, an entry that points outside the archive
 * ({@code ../}, an absolute path) refuses the whole zip, and at most {@code maxBytes} are written
 * whatever the entries claim.
 */
final class AdapterZip {

    private AdapterZip() {}

    /** Unpacks the two adapter files of {@code zip} into {@code dir}, which must exist. */
    static void extract(Path zip, Path dir, long maxBytes) {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            List<? extends ZipEntry> entries = file.stream().toList();
            for (ZipEntry entry : entries) {
                if (escapes(entry.getName())) {
                    throw ApiException.invalid("file", "invalid_zip", "zip entry '" + entry.getName()
                            + "' points outside the archive; zip the adapter directory itself");
                }
            }
            List<String> configs = entries.stream().map(ZipEntry::getName).filter(n -> isAdapterFile(n, PeftConfig.FILE)).toList();
            if (configs.isEmpty()) {
                throw ApiException.invalid("file", "missing_adapter_config", "the zip holds no " + PeftConfig.FILE
                        + " at its top or in one top-level folder; zip the PEFT adapter directory (adapter_config.json,"
                        + " adapter_model.safetensors)");
            }
            if (configs.size() > 1) {
                throw ApiException.invalid("file", "ambiguous_adapter", "the zip holds " + configs.size() + " adapters "
                        + configs + "; send one");
            }
            String folder = configs.get(0).substring(0, configs.get(0).length() - PeftConfig.FILE.length());
            ZipEntry weights = file.getEntry(folder + LoraAdapter.WEIGHTS_FILE);
            if (weights == null || weights.isDirectory()) {
                throw ApiException.invalid("file", "missing_adapter_model", "the zip holds " + configs.get(0) + " but no "
                        + folder + LoraAdapter.WEIGHTS_FILE + " beside it");
            }
            long left = copy(file, file.getEntry(configs.get(0)), dir.resolve(PeftConfig.FILE), maxBytes, maxBytes);
            copy(file, weights, dir.resolve(LoraAdapter.WEIGHTS_FILE), left, maxBytes);
        } catch (ZipException e) {
            throw ApiException.invalid("file", "invalid_zip", "file is not a readable zip archive (" + e.getMessage()
                    + "); send a zip of the PEFT adapter directory, or the parts adapter_config and adapter_model");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + ": " + e.getMessage(), e);
        }
    }

    /** {@code adapter_config.json} or {@code top/adapter_config.json}, never deeper. */
    static boolean isAdapterFile(String entry, String name) {
        return entry.equals(name) || (entry.endsWith("/" + name) && entry.indexOf('/') == entry.length() - name.length() - 1);
    }

    /** An absolute path, a drive letter or a {@code ..} segment: a name that unpacked as-is lands outside. */
    static boolean escapes(String entry) {
        return entry.startsWith("/") || entry.startsWith("\\") || entry.matches("^[A-Za-z]:.*")
                || List.of(entry.split("[/\\\\]")).contains("..");
    }

    /** Copies one entry, refusing it past {@code left} bytes; returns what is left then. */
    private static long copy(ZipFile zip, ZipEntry entry, Path target, long left, long maxBytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(target)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                left -= n;
                if (left < 0) {
                    throw new ApiException(413, "invalid_request_error", "request_too_large", "file",
                            "the adapter unpacks to more than " + maxBytes + " bytes, the upload limit");
                }
                out.write(buffer, 0, n);
            }
        }
        return left;
    }
}
