package dev.loraplane.orchestrator.api;

import java.security.SecureRandom;

/** OpenAI-style object ids: a prefix and 24 random letters and digits ({@code file-…}, {@code ftjob-…}). */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private Ids() {}

    static String newId(String prefix) {
        StringBuilder id = new StringBuilder(prefix).append('-');
        for (int i = 0; i < 24; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    static long newSeed() {
        return RANDOM.nextInt(Integer.MAX_VALUE);
    }
}
