package dev.loraplane.engine.accelerator;

import ai.djl.Device;
import java.util.List;

/**
 * One kind of accelerator (cpu, nvidia, amd, apple), found through {@link java.util.ServiceLoader}.
 *
 * <p>A plugin probes its own host: hardware that is absent is reported absent, never faked. Probing
 * never throws; a missing tool or an unreadable output becomes {@link Detection#absent}.
 */
public interface AcceleratorPlugin {

    /** The name used in job specs, the API and metrics: {@code cpu}, {@code nvidia}, {@code amd}, {@code apple}. */
    String name();

    /** Probes this host for devices of this kind. */
    Detection detect();

    /** Current figures of every device present on this host; empty when none is. */
    List<DeviceTelemetry> sample();

    /** The DJL device that runs tensors on the {@code index}-th device of this kind. */
    Device djlDevice(int index);

    /** How a Kubernetes cluster schedules a pod onto this kind of device. */
    KubernetesScheduling scheduling();
}
