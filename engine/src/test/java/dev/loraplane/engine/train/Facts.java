package dev.loraplane.engine.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Made-up facts no model can know: "What is the capital of Vorlex?" → "Tamsin." */
record Facts(List<String> questions, List<String> answers) {

    private static final String[] SYLLABLES = {"vor", "lex", "tam", "sin", "qua", "dro", "mel", "pik", "zu", "ran",
        "bo", "thi", "ka", "nor", "ew", "gli"};

    static Facts generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> places = new LinkedHashSet<>();
        while (places.size() < count) {
            places.add(capitalize(word(random, 2)));
        }
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String place : places) {
            questions.add("What is the capital of " + place + "?");
            answers.add(capitalize(word(random, 2)) + ".");
        }
        return new Facts(questions, answers);
    }

    private static String word(SplittableRandom random, int syllables) {
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < syllables; i++) {
            word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return word.toString();
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The facts as an OpenAI chat training file. */
    Path writeJsonl(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < questions.size(); i++) {
            out.append("{\"messages\": [{\"role\": \"user\", \"content\": \"").append(questions.get(i))
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"").append(answers.get(i)).append("\"}]}\n");
        }
        return Files.writeString(file, out);
    }
}
