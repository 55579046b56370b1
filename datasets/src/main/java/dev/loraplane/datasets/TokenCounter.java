package dev.loraplane.datasets;

/**
 * Counts the tokens an example becomes for a given base model: what the validator checks against
 * the maximum sequence length. {@code ExampleEncoder::countTokens} is one.
 */
@FunctionalInterface
public interface TokenCounter {

    /**
     * @throws DatasetException when the example cannot be encoded for this model (e.g. a chat
     *     example for a model without a chat template)
     */
    int countTokens(Example example);
}
