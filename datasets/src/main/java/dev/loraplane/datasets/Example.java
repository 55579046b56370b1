package dev.loraplane.datasets;

/**
 * One training example as a file holds it, in one of the four {@link DatasetFormat formats}.
 * Every format reads as a {@link Conversation}, which is what the encoder consumes.
 */
public sealed interface Example permits ChatExample, CompletionExample, AlpacaExample, TextExample {

    /** The file format this example came from. */
    DatasetFormat format();

    /**
     * This example as a conversation.
     *
     * @param chatTemplate whether a chat template will render it: with one, the template supplies
     *     the turn markup; without one, the encoder concatenates the message contents verbatim, so
     *     formats that need a prompt wrapper (Alpaca) put it into the text here
     */
    Conversation toConversation(boolean chatTemplate);
}
