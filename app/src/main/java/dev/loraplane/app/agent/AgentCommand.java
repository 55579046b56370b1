package dev.loraplane.app.agent;

import dev.loraplane.app.Home;
import dev.loraplane.engine.accelerator.AcceleratorDevice;
import dev.loraplane.engine.accelerator.AcceleratorPlugin;
import dev.loraplane.engine.accelerator.Accelerators;
import dev.loraplane.engine.accelerator.Detection;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {
            "Run training jobs on this machine for a remote control plane.",
            "",
            "Registers this machine's accelerators (found by the cpu, nvidia, amd and apple plugins), long-polls",
            "for work, downloads each job's base model and files, runs the worker, streams its events back and",
            "uploads checkpoints and the adapter. `loraplane up` prints the token."
        })
public final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "the control plane, e.g. http://10.0.0.5:8080")
    String server;

    @Option(names = "--token", required = true, defaultValue = "${env:LORAPLANE_AGENT_TOKEN}", paramLabel = "TOKEN",
            description = "the agent token the control plane printed (default: $LORAPLANE_AGENT_TOKEN)")
    String token;

    @Option(names = "--name", paramLabel = "NAME", description = "how the control plane shows this agent (default: the host name)")
    String name;

    @Option(names = "--cpu-slots", defaultValue = "-1", paramLabel = "N",
            description = "CPU training jobs at once (default: 1 when no GPU is found, else 0)")
    int cpuSlots;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "base models and job files (default: <home>/agent)")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> devices = devices();
        if (devices.isEmpty()) {
            spec.commandLine().getErr().println("error: this agent offers no devices: no GPU was found and --cpu-slots is 0");
            return 2;
        }
        Path work = workDir != null ? workDir : Home.fromEnvironment(System.getenv()).root().resolve("agent");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> worker = List.of(java.toString(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "dev.loraplane.app.Main", "worker");
        Agent agent = new Agent(server, token, new Agent.Config(name != null ? name : hostName(), devices, work, worker, 30), out);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop, "agent-stop"));
        agent.run();
        return 0;
    }

    /** This machine's devices by type and product, and the CPU slots. */
    private List<Map<String, Object>> devices() {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (AcceleratorPlugin plugin : Accelerators.plugins()) {
            if (plugin.name().equals("cpu")) {
                continue;
            }
            Detection found = plugin.detect();
            Map<String, Long> byProduct = found.devices().stream()
                    .collect(Collectors.groupingBy(AcceleratorDevice::product, LinkedHashMap::new, Collectors.counting()));
            byProduct.forEach((product, count) -> devices.add(Map.of("type", plugin.name(), "product", product, "count", count)));
        }
        int cpu = cpuSlots >= 0 ? cpuSlots : devices.isEmpty() ? 1 : 0;
        if (cpu > 0) {
            String product = Accelerators.plugin("cpu").map(AcceleratorPlugin::detect).filter(Detection::present)
                    .map(d -> d.devices().get(0).product()).orElse("cpu");
            devices.add(Map.of("type", "cpu", "product", product, "count", cpu));
        }
        return devices;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "agent";
        }
    }
}
