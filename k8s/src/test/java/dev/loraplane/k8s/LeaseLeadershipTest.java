package dev.loraplane.k8s;

import static dev.loraplane.k8s.KubernetesExecutorTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two control-plane replicas campaigning for one Lease on the mock API server. */
class LeaseLeadershipTest {

    static final LeaseLeadership.Timing FAST = new LeaseLeadership.Timing(Duration.ofSeconds(2), Duration.ofMillis(1500),
            Duration.ofMillis(100));

    KubernetesMockServer server = Kubelet.apiServer();
    KubernetesClient client = server.createClient();

    @AfterEach
    void tearDown() {
        Kubelet.stop(server, client);
    }

    @Test
    void onlyOneReplicaLeadsAndTheOtherTakesOverWhenItStepsDown() {
        LeaseLeadership a = new LeaseLeadership(client, "training", "loraplane-scheduler", "control-plane-a", FAST);
        LeaseLeadership b = new LeaseLeadership(client, "training", "loraplane-scheduler", "control-plane-b", FAST);
        try {
            await(() -> a.acquire() || b.acquire(), "one replica leads");
            for (int i = 0; i < 10; i++) {
                assertThat(a.acquire() && b.acquire()).as("never both").isFalse();
            }
            LeaseLeadership leader = a.acquire() ? a : b;
            LeaseLeadership standby = leader == a ? b : a;
            Lease lease = client.leases().inNamespace("training").withName("loraplane-scheduler").get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader == a ? "control-plane-a" : "control-plane-b");

            leader.close();
            assertThat(leader.acquire()).isFalse();
            await(standby::acquire, "the standby takes over");
        } finally {
            a.close();
            b.close();
        }
    }
}
