package dev.loraplane.orchestrator.evals;

import dev.loraplane.datasets.prepare.Shuffle;
import dev.loraplane.engine.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * How a variant turns an example's prompt into what the model reads: a system prompt, few-shot
 * examples (user and assistant turns) before the example, and a template the user's words go into.
 *
 * <pre>
 *   [system]  ++  shots (each user turn templated)  ++  example without its system turn (last user turn templated)
 * </pre>
 *
 * @param system the system prompt, or null to keep the example's own (if any)
 * @param shots few-shot turns, user and assistant alternating; empty for none
 * @param template text holding {@value #INPUT} once, which the user's words replace; null for the words alone
 */
public record PromptRecipe(String system, List<ChatMessage> shots, String template) {

    /** The placeholder of a template. */
    public static final String INPUT = "{input}";

    /** The example's prompt as it is. */
    public static final PromptRecipe NONE = new PromptRecipe(null, List.of(), null);

    public PromptRecipe {
        shots = List.copyOf(shots);
        if (template != null && !template.contains(INPUT)) {
            throw new IllegalArgumentException("the template has no " + INPUT + " for the example's words");
        }
    }

    /** The prompt a variant sends for {@code prompt}. */
    public List<ChatMessage> apply(List<ChatMessage> prompt) {
        List<ChatMessage> out = new ArrayList<>();
        List<ChatMessage> rest = new ArrayList<>(prompt);
        if (!rest.isEmpty() && rest.get(0).role().equals("system")) {
            ChatMessage own = rest.remove(0);
            out.add(system != null ? ChatMessage.system(system) : own);
        } else if (system != null) {
            out.add(ChatMessage.system(system));
        }
        shots.forEach(m -> out.add(templated(m)));
        int lastUser = -1;
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).role().equals("user")) {
                lastUser = i;
            }
        }
        for (int i = 0; i < rest.size(); i++) {
            out.add(i == lastUser ? templated(rest.get(i)) : rest.get(i));
        }
        return out;
    }

    private ChatMessage templated(ChatMessage m) {
        return template == null || !m.role().equals("user") ? m : ChatMessage.user(template.replace(INPUT, m.content()));
    }

    /**
     * Few-shot turns drawn from a file's examples: {@code count} of them (all when there are fewer),
     * picked by {@code seed} and kept in file order, each as its turns without system messages.
     */
    public static List<ChatMessage> draw(List<EvalExample> file, int count, long seed) {
        int[] order = Shuffle.permutation(file.size(), seed);
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < Math.min(count, order.length); i++) {
            picked.add(order[i]);
        }
        picked.sort(Integer::compare);
        List<ChatMessage> turns = new ArrayList<>();
        for (int index : picked) {
            EvalExample shot = file.get(index);
            shot.prompt().stream().filter(m -> !m.role().equals("system")).forEach(turns::add);
            turns.add(ChatMessage.assistant(shot.reference()));
        }
        return turns;
    }
}
