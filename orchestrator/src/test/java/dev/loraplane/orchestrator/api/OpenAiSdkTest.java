package dev.loraplane.orchestrator.api;

import static dev.loraplane.orchestrator.api.FilesApiTest.GOOD;
import static dev.loraplane.orchestrator.api.TestApi.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobCreateParams;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** OpenAI's official Java SDK, pointed at loraplane, uploads, creates, lists, retrieves and cancels. */
@ExtendWith(VertxExtension.class)
class OpenAiSdkTest {

    @TempDir
    Path dir;

    OpenAIClient openai;
    OpenAIClient other;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        int apiPort = TestApi.start(vertx, dir, 1 << 20);
        String base = "http://127.0.0.1:" + apiPort + "/v1";
        openai = OpenAIOkHttpClient.builder().apiKey("sk-acme").baseUrl(base).maxRetries(0).build();
        other = OpenAIOkHttpClient.builder().apiKey("sk-globex").baseUrl(base).maxRetries(0).build();
    }

    @Test
    void theOfficialClientWorksUnchanged() throws Exception {
        Path train = Files.writeString(dir.resolve("train.jsonl"), GOOD.repeat(12));
        FileObject file = openai.files().create(FileCreateParams.builder().file(train).purpose(FilePurpose.FINE_TUNE).build());
        file.validate();
        assertThat(file.filename()).isEqualTo("train.jsonl");
        assertThat(openai.files().retrieve(file.id()).bytes()).isEqualTo(Files.size(train));

        FineTuningJob job = openai.fineTuning().jobs().create(JobCreateParams.builder().model("loraplane-tiny")
                .trainingFile(file.id()).suffix("sdk").seed(11L).build());
        job.validate();
        assertThat(job.status()).isEqualTo(FineTuningJob.Status.VALIDATING_FILES);
        assertThat(job.seed()).isEqualTo(11L);

        assertThat(openai.fineTuning().jobs().list().data()).extracting(FineTuningJob::id).containsExactly(job.id());
        assertThat(openai.fineTuning().jobs().retrieve(job.id()).trainingFile()).isEqualTo(file.id());
        List<FineTuningJobEvent> events = openai.fineTuning().jobs().listEvents(job.id()).data();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).message()).contains("Created fine-tuning job");

        FineTuningJob cancelled = openai.fineTuning().jobs().cancel(job.id());
        assertThat(cancelled.status()).isEqualTo(FineTuningJob.Status.CANCELLED);

        assertThatThrownBy(() -> other.fineTuning().jobs().retrieve(job.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> openai.fineTuning().jobs().create(JobCreateParams.builder().model("gpt-9")
                .trainingFile(file.id()).build())).isInstanceOf(BadRequestException.class).hasMessageContaining("model");
    }
}
