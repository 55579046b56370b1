package dev.loraplane.datasets;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What is wrong with a training file, with the codes OpenAI's fine-tuning data checks use where
 * it has one, and a hint that says how to fix it.
 */
public enum ProblemCode {
    INVALID_UTF8("invalid_utf8", "save the file as UTF-8 (not Latin-1, Windows-1252 or UTF-16)"),
    INVALID_JSON("invalid_json", "put exactly one complete JSON object on each line; check quotes, commas and brackets"),
    DATA_TYPE("data_type", "each line, and each message in a messages list, must be a JSON object"),
    UNKNOWN_FORMAT("unknown_format", "give each line the fields of one format: messages; prompt and completion;"
            + " instruction, input and output; or text"),
    MIXED_FORMATS("mixed_formats", "use one format for every line of a file"),
    MISSING_MESSAGES_LIST("missing_messages_list", "give each example a non-empty \"messages\" list of"
            + " {\"role\", \"content\"} objects"),
    MESSAGE_MISSING_KEY("message_missing_key", "give every message both a \"role\" and a \"content\""),
    MESSAGE_UNRECOGNIZED_KEY("message_unrecognized_key", "a message may only have role, content, name and weight;"
            + " tool and function calls are not supported"),
    UNRECOGNIZED_ROLE("unrecognized_role", "use role system, user or assistant (lower case)"),
    MISSING_CONTENT("missing_content", "give every message, completion, output and text non-empty string content"),
    INVALID_WEIGHT("invalid_weight", "set weight to 1 (train on this assistant message) or 0 (do not), and only"
            + " on assistant messages"),
    EXAMPLE_MISSING_ASSISTANT_MESSAGE("example_missing_assistant_message", "add at least one assistant message:"
            + " it is what the model learns to produce"),
    MISSING_FIELD("missing_field", "add the field the format requires"),
    INVALID_TYPE("invalid_type", "make the field a JSON string"),
    EXAMPLE_TOO_LONG("example_too_long", "shorten the example or split it into several; longer examples are"
            + " truncated or dropped in training"),
    ENCODING_FAILED("encoding_failed", "chat examples need a base model whose chat template renders each turn"
            + " independently of later ones; use the prompt/completion or text format for a model without one"),
    EMPTY_FILE("empty_file", "upload a JSONL file with one training example per line"),
    TOO_FEW_EXAMPLES("too_few_examples", "add more examples; 50 to 100 good ones usually show an effect");

    private final String code;
    private final String hint;

    ProblemCode(String code, String hint) {
        this.code = code;
        this.hint = hint;
    }

    /** The code in reports and API errors, e.g. {@code unrecognized_role}. */
    @JsonValue
    public String code() {
        return code;
    }

    /** How to fix a problem of this kind. */
    public String hint() {
        return hint;
    }
}
