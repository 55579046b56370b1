package dev.loraplane.app;

import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Detection;
import dev.loraplane.engine.runtime.Torch;
import dev.loraplane.engine.runtime.TorchInfo;
import dev.loraplane.engine.runtime.TorchUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The checks behind {@code loraplane doctor}: what this machine needs to run loraplane. */
final class Doctor {

    static final int MIN_JAVA = 17;

    private final Home home;
    private final Supplier<List<AcceleratorPlugin>> plugins;

    Doctor(Home home, Supplier<List<AcceleratorPlugin>> plugins) {
        this.home = home;
        this.plugins = plugins;
    }

    List<Check> run() {
        return List.of(java(), pytorch(), accelerators(), data());
    }

    Check java() {
        Runtime.Version version = Runtime.version();
        String summary = "Java " + version + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home");
        if (version.feature() < MIN_JAVA) {
            return Check.fail("java", summary, "install a JDK " + MIN_JAVA + " or newer and put it first on PATH");
        }
        return Check.pass("java", summary, List.of());
    }

    Check pytorch() {
        TorchInfo info;
        try {
            info = Torch.load();
        } catch (TorchUnavailableException e) {
            return Check.fail("pytorch", e.getMessage(),
                    "build on this platform (mvn -B package picks linux-x86_64, linux-aarch64 or osx-aarch64),"
                            + " or set PYTORCH_LIBRARY_PATH to a libtorch 2.7.1 build");
        }
        List<String> details = new ArrayList<>();
        details.add("from " + info.source() + (info.offline() ? ", offline (nothing is downloaded)" : ""));
        info.library().ifPresent(lib -> details.add("library " + lib));
        details.add("GPUs this build drives: " + info.gpuCount());
        return Check.pass("pytorch", info.engine() + " " + info.version() + " on DJL " + info.djlVersion()
                + " (" + info.flavor() + ")", details);
    }

    Check accelerators() {
        List<AcceleratorPlugin> found = plugins.get();
        if (found.isEmpty()) {
            return Check.fail("accelerators", "no accelerator plugin on the class path",
                    "rebuild the jar with mvn -B package: its META-INF/services entries are missing");
        }
        List<String> details = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (AcceleratorPlugin plugin : found) {
            Detection detection = plugin.detect();
            if (detection.present()) {
                present.add(plugin.name());
            }
            details.add(String.format(Locale.ROOT, "%-7s %-8s %s", plugin.name(),
                    detection.present() ? detection.devices().size() + " device" + (detection.devices().size() == 1 ? "" : "s") : "absent",
                    detection.detail()));
            detection.devices().forEach(d -> details.add(String.format(Locale.ROOT, "        #%d %s, %s",
                    d.index(), d.product(), Bytes.human(d.memoryTotalBytes()))));
        }
        String summary = found.size() + " plugins (" + String.join(", ", found.stream().map(AcceleratorPlugin::name).toList())
                + "); devices present: " + (present.isEmpty() ? "none" : String.join(", ", present));
        if (present.isEmpty()) {
            return new Check("accelerators", false, summary, details, "no device found, not even the cpu: see the lines above");
        }
        return Check.pass("accelerators", summary, details);
    }

    Check data() {
        Path existing = home.root();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            return Check.fail("data", home.root() + " is not writable",
                    "set " + Home.ENV + " to a directory you can write to");
        }
        String free;
        try {
            free = Bytes.human(Files.getFileStore(existing).getUsableSpace()) + " free";
        } catch (IOException e) {
            free = "free space unknown: " + e.getMessage();
        }
        String state = existing.equals(home.root()) ? "exists" : "will be created";
        return Check.pass("data", home.root() + " (" + state + ", " + free + ")", List.of(
                "database  " + home.database() + "  (embedded H2)",
                "artifacts " + home.artifacts() + "  (training files, checkpoints, adapters by sha256)",
                "models    " + home.models() + "  (base models)",
                "config    " + home.config() + (Files.exists(home.config()) ? "" : "  (absent: embedded defaults)"),
                "libtorch  " + Torch.nativeCacheDir() + "  (extracted from the jar on first use)"));
    }
}
