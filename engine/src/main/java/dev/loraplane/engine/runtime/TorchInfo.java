package dev.loraplane.engine.runtime;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The PyTorch runtime DJL loaded into this process.
 *
 * @param engine DJL's engine name, "PyTorch"
 * @param version the libtorch version, e.g. "2.7.1"
 * @param djlVersion the DJL version, e.g. "0.36.0"
 * @param flavor the libtorch build: "cpu", or a CUDA/ROCm flavor from {@code PYTORCH_LIBRARY_PATH}
 * @param source where libtorch came from: the bundled {@code pytorch-native-cpu} jar (with its
 *     classifier) or the directory {@code PYTORCH_LIBRARY_PATH} names
 * @param library the libtorch shared object mapped into this process, when the OS shows it
 * @param offline whether DJL was kept from downloading anything
 * @param gpuCount the GPUs this libtorch build can drive
 */
public record TorchInfo(
        String engine,
        String version,
        String djlVersion,
        String flavor,
        String source,
        Optional<Path> library,
        boolean offline,
        int gpuCount) {}
