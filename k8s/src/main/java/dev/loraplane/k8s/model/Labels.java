package dev.loraplane.k8s.model;

import java.util.Locale;
import java.util.Map;

/**
 * The labels and annotations loraplane puts on what it creates, and the names it gives them. Label
 * values are sanitized (at most 63 characters of {@code [a-z0-9.-]}); the exact job id, tenant and
 * device request travel in annotations, from which a restarted control plane reads them back.
 */
public final class Labels {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "loraplane";
    public static final String JOB_ID = "loraplane.dev/job-id";
    public static final String TENANT = "loraplane.dev/tenant";
    public static final String ATTEMPT = "loraplane.dev/attempt";
    public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
    /** Annotations: the device type, product and count an attempt holds. */
    public static final String ACCELERATOR = "loraplane.dev/accelerator";
    public static final String PRODUCT = "loraplane.dev/product";
    public static final String DEVICES = "loraplane.dev/devices";

    private static final int MAX = 63;

    private Labels() {}

    /** The labels of an attempt's Job, pod and ConfigMap. */
    public static Map<String, String> of(String jobId, String tenant, int attempt) {
        return Map.of(MANAGED_BY, MANAGER, JOB_ID, value(jobId), TENANT, value(tenant), ATTEMPT, String.valueOf(attempt));
    }

    /**
     * The name of an attempt's Job and ConfigMap: the job id and the attempt, DNS-1123 safe and at
     * most 63 characters ({@code ftjob-abc123-a2}).
     */
    public static String name(String jobId, int attempt) {
        String suffix = "-a" + attempt;
        String base = jobId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+", "");
        base = base.substring(0, Math.min(base.length(), MAX - suffix.length())).replaceAll("-+$", "");
        return (base.isEmpty() ? "job" : base) + suffix;
    }

    /** {@code text} as a label value: lower case, runs of other characters as one '-', trimmed to 63. */
    static String value(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
        s = s.substring(0, Math.min(s.length(), MAX));
        return s.replaceAll("^[.-]+|[.-]+$", "");
    }
}
