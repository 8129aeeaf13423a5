package io.nodescope.module.exit;

import static io.nodescope.decode.SharedLayout.HEADER_BOOT_NS;
import static io.nodescope.module.exit.ProcessExitFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.decode.EventDecoder;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.TaskIdentity;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.SyntheticRecords;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Process exit records through the decoder, field by field. */
class ProcessExitFormatTest {
    private final EventDecoder decoder = new EventDecoder(4096, new MetricsRegistry(),
            List.of(ProcessExitFormat.FORMAT));

    private Optional<NodeEvent> decode(SyntheticRecords record) {
        return decoder.decode(record.buffer(), SyntheticRecords.AT, record.length());
    }

    @Test
    void decodesEveryFieldOfAProcessExit() {
        SyntheticRecords record = SyntheticRecords.of(KIND, VERSION, BYTES)
                .u64(HEADER_BOOT_NS, 987_654_321L)
                .task(TASK, 4242, 4244, 1000, 9001, "oom-alloc")
                .s32(CODE, 9)
                .s32(FLAGS, F_OOM_VICTIM);

        assertEquals(Optional.of(new ProcessExit(987_654_321L, new TaskIdentity(4242, 4244, 1000, 9001, "oom-alloc"),
                9, true)), decode(record));
    }

    @Test
    void processExitWithoutTheVictimFlagIsNotAnOomVictim() {
        SyntheticRecords record = SyntheticRecords.of(KIND, VERSION, BYTES).s32(CODE, 3 << 8);

        assertEquals(false, ((ProcessExit) decode(record).orElseThrow()).oomVictim());
    }
}
