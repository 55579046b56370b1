package dev.loraplane.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Expected strings are Python's {@code datetime.strftime} output for the same moments. */
class StrftimeTest {

    @Test
    void everyDirectiveAsPythonPrintsIt() {
        assertThat(Strftime.format("%a %A %b %B %d %m %y %Y %H %I %M %S %p %j %% %Q",
                LocalDateTime.of(2024, 7, 26, 21, 5, 3)))
                .isEqualTo("Fri Friday Jul July 26 07 24 2024 21 09 05 03 PM 208 % %Q");
    }

    @Test
    void llama32sDateLine() {
        assertThat(Strftime.format("%d %b %Y, %I%p", LocalDateTime.of(2025, 1, 3, 0, 0)))
                .isEqualTo("03 Jan 2025, 12AM");
    }
}
