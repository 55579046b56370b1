package dev.loraplane.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium for tests that open a page: installed with apt-get when it is missing
 * (CI runs as root); where it cannot be, the test skips and says so loudly.
 */
final class Chromium {

    private Chromium() {}

    /** The browser's path, installing it first when needed. */
    static String require() throws IOException, InterruptedException {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        Process install = new ProcessBuilder("apt-get", "install", "-y", "-q", "chromium").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean done = install.waitFor(5, TimeUnit.MINUTES);
        if (done && install.exitValue() == 0 && Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            return "/usr/bin/chromium";
        }
        String message = "SKIPPED: Chromium is not installed and apt-get install chromium failed here; install Debian's"
                + " chromium package to run the report page test";
        System.err.println("*** " + message);
        assumeTrue(false, message);
        return null;
    }

    /** The DOM of {@code page} once loaded and its scripts have run, as headless Chromium prints it. */
    static String dumpDom(Path page) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(page.getParent(), "chromium-profile");
        Process chromium = new ProcessBuilder(require(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--virtual-time-budget=2000", "--dump-dom",
                page.toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] dom = chromium.getInputStream().readAllBytes();
        if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            throw new IllegalStateException("headless Chromium did not finish with " + page);
        }
        return new String(dom, StandardCharsets.UTF_8);
    }
}
