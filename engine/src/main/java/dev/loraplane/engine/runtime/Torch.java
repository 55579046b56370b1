package dev.loraplane.engine.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Loads DJL's PyTorch engine from the libtorch bundled in the jar, never from the network.
 *
 * <p>DJL downloads a libtorch build when it finds none on the class path, unless offline mode is
 * on. loraplane ships {@code pytorch-native-cpu} (or takes a CUDA/ROCm build from {@code
 * PYTORCH_LIBRARY_PATH} on GPU nodes), so offline mode is always forced before the engine loads.
 */
public final class Torch {

    public static final String ENGINE = "PyTorch";
    private static final String BUNDLE = "native/lib/pytorch.properties";

    private Torch() {}

    /** Forces DJL's offline mode; must run before the first use of the engine. */
    public static void forceOffline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /**
     * Loads the engine, checks it computes, and describes it.
     *
     * @throws TorchUnavailableException when libtorch cannot be loaded or does not compute
     */
    public static TorchInfo load() {
        forceOffline();
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new TorchUnavailableException("cannot load the PyTorch engine: " + rootMessage(e), e);
        }
        checkComputes(engine);
        Properties bundle = bundledBuild();
        String libraryPath = Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH");
        String source = libraryPath != null
                ? "PYTORCH_LIBRARY_PATH=" + libraryPath
                : "bundled pytorch-native-" + bundle.getProperty("flavor", "?") + " "
                        + bundle.getProperty("classifier", "?");
        String flavor = libraryPath != null ? "external" : bundle.getProperty("flavor", "unknown");
        return new TorchInfo(
                engine.getEngineName(),
                engine.getVersion(),
                Engine.getDjlVersion(),
                flavor,
                source,
                mappedLibtorch(),
                Utils.isOfflineMode(),
                engine.getGpuCount());
    }

    /** The directory where DJL extracts the bundled libtorch on first use. */
    public static Path nativeCacheDir() {
        return Utils.getEngineCacheDir("pytorch");
    }

    private static void checkComputes(Engine engine) {
        try (NDManager manager = engine.newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            float[] product = a.matMul(a).toFloatArray();
            if (product[0] != 7f || product[3] != 22f) {
                throw new TorchUnavailableException("libtorch loaded but a 2x2 matmul gave a wrong result");
            }
        }
    }

    private static Properties bundledBuild() {
        Properties properties = new Properties();
        try (InputStream in = Torch.class.getClassLoader().getResourceAsStream(BUNDLE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUNDLE, e);
        }
        return properties;
    }

    /** On Linux, the libtorch file the dynamic linker actually mapped, read from /proc/self/maps. */
    private static Optional<Path> mappedLibtorch() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(file -> file.endsWith("/libtorch_cpu.so") || file.endsWith("/libtorch_cuda.so")
                            || file.endsWith("/libtorch_hip.so") || file.endsWith("/libtorch_cpu.dylib"))
                    .findFirst()
                    .map(Path::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
