package dev.loraplane.engine.accelerator;

/** The loraplane container images, one per libtorch build; the only place their names are written. */
final class ContainerImages {

    static final String REPOSITORY = "ghcr.io/loraplane/loraplane";

    /** The CPU build of libtorch, as bundled in the jar. */
    static final String CPU = REPOSITORY + ":latest";

    /** libtorch built for CUDA, found through {@code PYTORCH_LIBRARY_PATH}. */
    static final String CUDA = REPOSITORY + ":latest-cuda";

    /** libtorch built for ROCm (HIP), found through {@code PYTORCH_LIBRARY_PATH}. */
    static final String ROCM = REPOSITORY + ":latest-rocm";

    private ContainerImages() {}
}
