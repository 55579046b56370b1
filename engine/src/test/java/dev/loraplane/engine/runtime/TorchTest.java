package dev.loraplane.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TorchTest {

    @Test
    void loadsTheBundledLibtorchOffline() {
        TorchInfo info = Torch.load();

        assertThat(info.engine()).isEqualTo("PyTorch");
        assertThat(info.version()).isEqualTo("2.7.1");
        assertThat(info.djlVersion()).isEqualTo("0.36.0");
        assertThat(info.offline()).isTrue();
        assertThat(info.flavor()).isEqualTo("cpu");
        assertThat(info.source()).startsWith("bundled pytorch-native-cpu");
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(info.library()).hasValueSatisfying(p -> assertThat(p.getFileName()).hasToString("libtorch_cpu.so"));
            assertThat(info.library().get()).startsWith(Torch.nativeCacheDir());
        }
    }
}
