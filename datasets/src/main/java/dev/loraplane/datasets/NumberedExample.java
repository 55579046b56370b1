package dev.loraplane.datasets;

/**
 * An example with the line of the file it came from.
 *
 * @param line the 1-based line number
 * @param example the parsed example
 */
public record NumberedExample(long line, Example example) {}
