package dev.loraplane.orchestrator.jobs;

import dev.loraplane.orchestrator.executor.Attempt;
import dev.loraplane.orchestrator.executor.AttemptExit;
import dev.loraplane.orchestrator.executor.AttemptListener;
import dev.loraplane.orchestrator.executor.DevicePool;
import dev.loraplane.orchestrator.executor.Executor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An executor of one CPU slot whose workers a test plays through the listeners it keeps. */
public final class ScriptedExecutor implements Executor {

    public final List<Attempt> attempts = new ArrayList<>();
    public final List<AttemptListener> listeners = new ArrayList<>();
    /** Job ids whose attempt it still runs after a restart, and since when each was adopted. */
    public final Map<String, Instant> adoptable = new HashMap<>();
    public int slots = 1;

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<DevicePool> pools() {
        return slots == 0 ? List.of() : List.of(new DevicePool("local", "host", "cpu", "Test CPU", slots, slots - running()));
    }

    public int running() {
        return (int) listeners.stream().filter(l -> l != null).count();
    }

    @Override
    public void start(Attempt attempt, DevicePool pool, AttemptListener listener) {
        attempts.add(attempt);
        listeners.add(listener);
    }

    /** The latest attempt's worker ends. */
    public void exit(int code) {
        int last = listeners.size() - 1;
        AttemptListener listener = listeners.get(last);
        listeners.set(last, null);
        listener.exited(new AttemptExit(code, "its log is worker.log"));
    }

    public void line(String json) {
        listeners.get(listeners.size() - 1).line(json);
    }

    @Override
    public boolean adopt(String jobId, int attempt, Instant since, AttemptListener listener) {
        if (!adoptable.containsKey(jobId)) {
            return false;
        }
        adoptable.put(jobId, since);
        listeners.add(listener);
        return true;
    }

    @Override
    public boolean isRunning(String jobId) {
        return running() > 0;
    }

    @Override
    public void cancel(String jobId) {
    }

    @Override
    public void stopAll() {
    }
}
