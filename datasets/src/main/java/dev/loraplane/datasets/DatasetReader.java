package dev.loraplane.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Streams the examples of a training file, one line at a time, for encoding. The file is expected
 * to be valid ({@link DatasetValidator} first): the first problem ends the read with a
 * {@link DatasetException} that names its line and field.
 */
public final class DatasetReader {

    private DatasetReader() {}

    /**
     * Calls {@code action} with every example of the file, in order.
     *
     * @param format the file's format, or null to detect it
     * @return the file's format
     * @throws DatasetException at the first problem, or when the file has no examples
     */
    public static DatasetFormat read(Path file, DatasetFormat format, Consumer<NumberedExample> action) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, format, action);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read(Path, DatasetFormat, Consumer)}, from a stream the caller closes. */
    public static DatasetFormat read(InputStream in, DatasetFormat format, Consumer<NumberedExample> action) {
        RecordParser parser = new RecordParser(format);
        try {
            JsonlLines.forEach(in, line -> {
                if (line.problem() != null) {
                    throw new DatasetException(line.problem());
                }
                RecordParser.Result result = parser.parse(line.number(), line.text());
                if (!result.problems().isEmpty()) {
                    throw new DatasetException(result.problems().get(0));
                }
                action.accept(new NumberedExample(line.number(), result.example()));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training file: " + e.getMessage(), e);
        }
        if (parser.format() == null) {
            throw new DatasetException(Problem.ofFile(ProblemCode.EMPTY_FILE, "the file has no examples"));
        }
        return parser.format();
    }
}
