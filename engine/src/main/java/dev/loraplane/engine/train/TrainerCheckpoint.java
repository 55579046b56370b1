package dev.loraplane.engine.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraplane.engine.Directories;
import dev.loraplane.engine.lora.LoraAdapter;
import dev.loraplane.engine.model.SafeTensors;
import dev.loraplane.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable checkpoint, {@code checkpoint-<step>/}: the adapter in PEFT layout (so any checkpoint
 * is also a usable adapter), AdamW's moments in {@code optimizer.safetensors}, and {@code
 * trainer_state.json} (step, seed). The data position and dropout streams follow from the step and
 * seed. Written to a temporary directory and renamed, so a checkpoint is whole or absent.
 */
final class TrainerCheckpoint {

    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    record State(int step, long seed) {}

    private TrainerCheckpoint() {}

    static Path write(Path dir, int step, long seed, LoraAdapter adapter, AdamW optimizer) {
        Path target = dir.resolve("checkpoint-" + step);
        Path temp = dir.resolve(".checkpoint-" + step + ".tmp");
        try {
            Directories.deleteTree(temp);
            adapter.save(temp);
            Map<String, SafeTensorsWriter.F32Tensor> moments = new LinkedHashMap<>();
            for (int i = 0; i < optimizer.firstMoments().size(); i++) {
                moments.put(String.format("m.%05d", i), tensor(optimizer.firstMoments().get(i)));
                moments.put(String.format("v.%05d", i), tensor(optimizer.secondMoments().get(i)));
            }
            SafeTensorsWriter.write(temp.resolve(OPTIMIZER), moments);
            Files.writeString(temp.resolve(STATE), JSON.writeValueAsString(Map.of(
                    "step", step, "seed", seed, "optimizer_steps", optimizer.steps())));
            Directories.deleteTree(target);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    static State restore(Path checkpoint, AdamW optimizer) {
        try {
            JsonNode state = JSON.readTree(checkpoint.resolve(STATE).toFile());
            SafeTensors file = SafeTensors.open(checkpoint.resolve(OPTIMIZER));
            int count = optimizer.firstMoments().size();
            if (file.tensors().size() != 2 * count) {
                throw new TrainingException("bad_checkpoint", checkpoint + ": " + OPTIMIZER + " holds "
                        + file.tensors().size() + " moments, this adapter has " + count + " parameters");
            }
            List<float[]> m = new ArrayList<>();
            List<float[]> v = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                m.add(floats(file, String.format("m.%05d", i)));
                v.add(floats(file, String.format("v.%05d", i)));
            }
            optimizer.restore(state.get("optimizer_steps").asInt(), m, v);
            return new State(state.get("step").asInt(), state.get("seed").asLong());
        } catch (IOException e) {
            throw new TrainingException("bad_checkpoint", checkpoint + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static float[] floats(SafeTensors file, String name) {
        SafeTensors.TensorInfo info = file.tensors().get(name);
        float[] values = new float[(int) ((info.end() - info.begin()) / 4)];
        file.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static SafeTensorsWriter.F32Tensor tensor(NDArray array) {
        return new SafeTensorsWriter.F32Tensor(array.getShape().getShape(), array::toFloatArray);
    }
}
