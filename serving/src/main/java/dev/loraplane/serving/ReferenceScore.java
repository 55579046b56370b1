package dev.loraplane.serving;

/**
 * How well a model predicts a known continuation of a prompt, teacher-forced: each reference token
 * is scored with the true tokens before it as context, as a validation loss is.
 *
 * @param tokens reference tokens scored
 * @param correct of them, those the model ranks first (its greedy choice at that position)
 * @param lossSum the sum over them of −ln p(token | prompt, reference tokens before it), in nats
 */
public record ReferenceScore(int tokens, int correct, double lossSum) {

    public ReferenceScore {
        if (tokens < 1 || correct < 0 || correct > tokens || !(lossSum >= 0) || Double.isInfinite(lossSum)) {
            throw new IllegalArgumentException("a reference score needs at least one token, 0 ≤ correct ≤ tokens and a finite"
                    + " loss; got " + tokens + ", " + correct + ", " + lossSum);
        }
    }
}
