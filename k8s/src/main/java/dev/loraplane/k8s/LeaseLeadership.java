package dev.loraplane.k8s;

import dev.loraplane.orchestrator.jobs.Leadership;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership held through a {@code coordination.k8s.io/v1} Lease, with Fabric8's {@code LeaderElector}
 * campaigning in the background: the holder renews the lease, the others take it over once it
 * expires, or at once when the holder releases it on {@link #close}.
 */
public final class LeaseLeadership implements Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseLeadership.class);

    /**
     * How long a lease lasts unrenewed, how long the holder keeps trying to renew it before it
     * stops leading, and how often everyone tries.
     */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

        /** Kubernetes' own controllers' defaults. */
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    private final AtomicBoolean leading = new AtomicBoolean();
    private final CompletableFuture<?> campaign;

    /** @param identity this replica: its pod name */
    public LeaseLeadership(KubernetesClient client, String namespace, String leaseName, String identity, Timing timing) {
        campaign = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLock(new LeaseLock(namespace, leaseName, identity))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    leading.set(true);
                    LOG.info("{} leads ({}/{})", identity, namespace, leaseName);
                }, () -> {
                    leading.set(false);
                    LOG.info("{} no longer leads", identity);
                }, leader -> LOG.info("{} ({}/{})", leader == null ? "nobody leads" : leader + " now leads", namespace,
                        leaseName)))
                .build()).build().start();
    }

    /** The identity Kubernetes gives a pod: its host name (the pod name), else the host's name. */
    public static String podIdentity() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isEmpty()) {
            return host;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "loraplane-" + ProcessHandle.current().pid();
        }
    }

    @Override
    public boolean acquire() {
        return leading.get();
    }

    @Override
    public void close() {
        campaign.cancel(true);
        leading.set(false);
    }
}
