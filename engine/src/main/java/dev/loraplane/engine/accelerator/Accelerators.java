package dev.loraplane.engine.accelerator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The accelerator plugins on the class path. */
public final class Accelerators {

    private Accelerators() {}

    /** Every plugin {@link ServiceLoader} finds, in class-path order. */
    public static List<AcceleratorPlugin> plugins() {
        List<AcceleratorPlugin> plugins = new ArrayList<>();
        ServiceLoader.load(AcceleratorPlugin.class, Accelerators.class.getClassLoader()).forEach(plugins::add);
        return plugins;
    }

    /** The plugin with this name, if one is installed. */
    public static Optional<AcceleratorPlugin> plugin(String name) {
        return plugins().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
