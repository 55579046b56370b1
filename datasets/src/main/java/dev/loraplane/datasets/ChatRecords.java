package dev.loraplane.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks an OpenAI chat record and builds its example, with OpenAI's problem codes. */
final class ChatRecords {

    private static final Set<String> MESSAGE_KEYS = Set.of("role", "content", "name", "weight");
    private static final String ROLES = "system, user, assistant";

    private ChatRecords() {}

    /** The example, or null when {@code problems} received at least one problem. */
    static ChatExample parse(long line, JsonNode record, List<Problem> problems) {
        JsonNode messages = record.get("messages");
        String missing = messages == null ? "messages is missing"
                : !messages.isArray() ? "messages is " + JsonValues.describe(messages)
                : messages.isEmpty() ? "messages is an empty list" : null;
        if (missing != null) {
            problems.add(Problem.at(line, "messages", ProblemCode.MISSING_MESSAGES_LIST,
                    missing + "; expected a list of {role, content} messages"));
            return null;
        }
        int before = problems.size();
        List<Message> parsed = new ArrayList<>();
        boolean rolesKnown = true;
        boolean hasAssistant = false;
        for (int i = 0; i < messages.size(); i++) {
            Optional<Role> role = message(line, "messages[" + i + "]", messages.get(i), parsed, problems);
            rolesKnown &= role.isPresent();
            hasAssistant |= role.filter(Role.ASSISTANT::equals).isPresent();
        }
        if (rolesKnown && !hasAssistant) {
            problems.add(Problem.at(line, "messages", ProblemCode.EXAMPLE_MISSING_ASSISTANT_MESSAGE,
                    "messages has no assistant message; expected at least one for the model to learn from"));
        }
        return problems.size() == before ? new ChatExample(parsed) : null;
    }

    /** Checks one message and adds it to {@code parsed} when it is sound; returns its role when that is known. */
    private static Optional<Role> message(long line, String field, JsonNode message, List<Message> parsed,
            List<Problem> problems) {
        if (!message.isObject()) {
            problems.add(Problem.at(line, field, ProblemCode.DATA_TYPE,
                    field + " is " + JsonValues.describe(message) + "; expected an object with role and content"));
            return Optional.empty();
        }
        int before = problems.size();
        for (Iterator<String> keys = message.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!MESSAGE_KEYS.contains(key)) {
                problems.add(Problem.at(line, field + "." + key, ProblemCode.MESSAGE_UNRECOGNIZED_KEY,
                        field + " has unrecognized key '" + key + "'; expected role, content, name or weight"));
            }
        }
        Optional<Role> role = role(line, field, message.get("role"), problems);
        String content = content(line, field, message.get("content"), problems);
        boolean train = weight(line, field, message.get("weight"), role, problems);
        if (problems.size() == before) {
            parsed.add(new Message(role.orElseThrow(), content, train));
        }
        return role;
    }

    private static Optional<Role> role(long line, String field, JsonNode role, List<Problem> problems) {
        if (role == null) {
            problems.add(Problem.at(line, field + ".role", ProblemCode.MESSAGE_MISSING_KEY,
                    field + " has no role; expected one of " + ROLES));
            return Optional.empty();
        }
        Optional<Role> known = role.isTextual() ? Role.fromWireName(role.textValue()) : Optional.empty();
        if (known.isEmpty()) {
            problems.add(Problem.at(line, field + ".role", ProblemCode.UNRECOGNIZED_ROLE,
                    field + ".role is " + JsonValues.show(role) + "; expected one of " + ROLES));
        }
        return known;
    }

    private static String content(long line, String field, JsonNode content, List<Problem> problems) {
        if (content == null) {
            problems.add(Problem.at(line, field + ".content", ProblemCode.MESSAGE_MISSING_KEY,
                    field + " has no content; expected a string"));
            return null;
        }
        String wrong = !content.isTextual() ? "is " + JsonValues.describe(content) + "; expected a string"
                : content.textValue().isEmpty() ? "is empty"
                : content.textValue().isBlank() ? "is blank" : null;
        if (wrong != null) {
            problems.add(Problem.at(line, field + ".content", ProblemCode.MISSING_CONTENT, field + ".content " + wrong));
            return null;
        }
        return content.textValue();
    }

    /** Whether the message is trained on: assistant messages are, unless they say {@code "weight": 0}. */
    private static boolean weight(long line, String field, JsonNode weight, Optional<Role> role, List<Problem> problems) {
        boolean assistant = role.filter(Role.ASSISTANT::equals).isPresent();
        if (weight == null) {
            return assistant;
        }
        if (!weight.isNumber() || (weight.doubleValue() != 0 && weight.doubleValue() != 1)) {
            problems.add(Problem.at(line, field + ".weight", ProblemCode.INVALID_WEIGHT,
                    field + ".weight is " + JsonValues.show(weight) + "; expected 0 or 1"));
            return false;
        }
        if (role.isPresent() && !assistant) {
            problems.add(Problem.at(line, field + ".weight", ProblemCode.INVALID_WEIGHT,
                    field + " is a " + role.get().wireName() + " message; only assistant messages take a weight"));
            return false;
        }
        return assistant && weight.doubleValue() == 1;
    }
}
