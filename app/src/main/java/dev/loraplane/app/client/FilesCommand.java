package dev.loraplane.app.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "files", mixinStandardHelpOptions = true, description = "Upload and list training files on the control plane.",
        subcommands = {FilesCommand.Upload.class, FilesCommand.ListFiles.class})
public final class FilesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Upload a JSONL training file; it is validated line by line and refused with the lines at fault.")
    static final class Upload implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--json", description = "print the file object")
        boolean json;

        @Override
        public void run() {
            JsonNode created = connection.client().upload(file, "fine-tune");
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? created.toPrettyString() : created.get("id").asText() + "  " + created.get("filename").asText()
                    + "  " + created.get("bytes").asLong() + " bytes");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your training files, newest first.")
    static final class ListFiles implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode f : connection.client().get("/files").get("data")) {
                out.printf(Locale.ROOT, "%-30s %-30s %10d bytes%n", f.get("id").asText(), f.get("filename").asText(), f.get("bytes").asLong());
            }
        }
    }
}
