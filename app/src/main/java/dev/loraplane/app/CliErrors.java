package dev.loraplane.app;

import dev.loraplane.datasets.DatasetException;
import dev.loraplane.engine.lora.LoraException;
import dev.loraplane.engine.model.ModelLoadException;
import dev.loraplane.engine.runtime.TorchUnavailableException;
import dev.loraplane.engine.train.TrainingException;
import dev.loraplane.orchestrator.store.StoreException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place that turns a command's failure into what a person sees: a known failure prints
 * {@code loraplane <command>: <message>} and exits 1; anything else is a bug and keeps its stack trace.
 */
final class CliErrors implements IExecutionExceptionHandler {

    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) throws Exception {
        if (isUserFacing(e)) {
            cli.getErr().println(cli.getColorScheme().errorText(cli.getCommandSpec().qualifiedName() + ": " + e.getMessage()));
            return FAILED;
        }
        throw e;
    }

    static boolean isUserFacing(Exception e) {
        return e instanceof ModelLoadException || e instanceof LoraException || e instanceof TorchUnavailableException
                || e instanceof TrainingException || e instanceof DatasetException || e instanceof UncheckedIOException
                || e instanceof IllegalArgumentException || e instanceof StoreException;
    }
}
