package dev.loraplane.serving.adapters;

import java.util.List;
import java.util.Optional;

/**
 * Sources asked in order; the first that knows a name answers for it. Put adapters loaded by path
 * before the registry, so that a name loaded by hand shadows the registered one, as in vLLM.
 */
public final class CompositeAdapterSource implements AdapterSource {

    private final List<AdapterSource> sources;

    public CompositeAdapterSource(List<AdapterSource> sources) {
        this.sources = List.copyOf(sources);
    }

    public static CompositeAdapterSource of(AdapterSource... sources) {
        return new CompositeAdapterSource(List.of(sources));
    }

    @Override
    public Optional<AdapterVersion> resolve(String name) {
        for (AdapterSource source : sources) {
            Optional<AdapterVersion> version = source.resolve(name);
            if (version.isPresent()) {
                return version;
            }
        }
        return Optional.empty();
    }
}
