package io.nodescope.proc;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for something another thread does (an informer handling a watch event). The deadline
 * only stops a broken test from hanging: nothing asserts how long it took.
 */
final class Await {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private Await() {}

    static void until(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("gave up waiting after " + DEADLINE + " for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + what);
            }
        }
    }
}
