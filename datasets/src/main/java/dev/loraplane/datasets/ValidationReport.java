package dev.loraplane.datasets;

import java.util.List;

/**
 * The outcome of validating a training file: counts, and every problem up to a cap.
 *
 * @param format the file's format, named or detected; null when no line showed one
 * @param lines lines in the file, blank ones included
 * @param blankLines lines holding only whitespace, which are skipped
 * @param examples non-blank lines: the examples, sound or not
 * @param validExamples examples without a problem
 * @param problemCount every problem found, kept or not
 * @param problems the first problems, file-level ones first, then in line order
 * @param notes what was not checked, and why
 */
public record ValidationReport(DatasetFormat format, long lines, long blankLines, long examples, long validExamples,
        long problemCount, List<Problem> problems, List<String> notes) {

    public ValidationReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** Whether the file can be trained on as it is. */
    public boolean valid() {
        return problemCount == 0;
    }

    /** The problems found beyond those kept in {@link #problems()}. */
    public long omittedProblems() {
        return problemCount - problems.size();
    }

    /** A readable account: the counts, one problem per line with its hint, "and N more", the notes. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        text.append(examples).append(examples == 1 ? " example" : " examples");
        if (format != null) {
            text.append(" (").append(format.wireName()).append(')');
        }
        text.append(", ").append(validExamples).append(" valid; ");
        text.append(problemCount == 0 ? "no problems" : problemCount + (problemCount == 1 ? " problem" : " problems"));
        for (Problem problem : problems) {
            text.append("\n  ").append(problem.message()).append(" [").append(problem.code().code()).append("] — ")
                    .append(problem.hint());
        }
        if (omittedProblems() > 0) {
            text.append("\n  … and ").append(omittedProblems()).append(" more");
        }
        for (String note : notes) {
            text.append("\nnote: ").append(note);
        }
        return text.toString();
    }
}
