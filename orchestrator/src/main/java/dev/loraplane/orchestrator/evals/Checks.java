package dev.loraplane.orchestrator.evals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The answer checks: exact and normalized match against the reference always; JSON validity and a
 * regular expression when the eval asks for them.
 *
 * @param json whether each output must be one JSON value
 * @param regex a pattern each output must contain (anchor it with {@code ^…$} to match the whole), or null
 */
public record Checks(boolean json, Pattern regex) {

    public static final Checks NONE = new Checks(false, null);

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Whether the output is the reference, character for character. */
    public static boolean exactMatch(String output, String reference) {
        return output.equals(reference);
    }

    /** Whether they are equal trimmed, case-folded and with runs of whitespace as one space. */
    public static boolean normalizedMatch(String output, String reference) {
        return normalize(output).equals(normalize(reference));
    }

    static String normalize(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** Whether the output is exactly one JSON value (surrounding whitespace allowed); null when not checked. */
    public Boolean jsonValid(String output) {
        if (!json) {
            return null;
        }
        if (output.isBlank()) {
            return false;
        }
        try {
            JSON.readTree(output);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the pattern occurs in the output; null when not checked. */
    public Boolean regexMatch(String output) {
        return regex == null ? null : regex.matcher(output).find();
    }
}
