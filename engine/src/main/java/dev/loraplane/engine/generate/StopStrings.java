package dev.loraplane.engine.generate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Finds a stop string in the text of a sequence's newest tokens. */
public final class StopStrings {

    private StopStrings() {}

    /**
     * The stop string that the text of the newest tokens contains, or null. Only a tail is decoded:
     * enough tokens to hold the longest stop string even at one byte per token, plus a few for a
     * character split across tokens.
     *
     * @param output the generated tokens, of which the first {@code produced} count
     */
    public static String matched(List<String> stops, int[] output, int produced, Generator.Decoder decoder) {
        if (stops.isEmpty()) {
            return null;
        }
        int longest = stops.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
        int from = Math.max(0, produced - longest - 4);
        String tail = decoder.decode(Arrays.copyOfRange(output, from, produced));
        for (String stop : stops) {
            if (tail.contains(stop)) {
                return stop;
            }
        }
        return null;
    }
}
