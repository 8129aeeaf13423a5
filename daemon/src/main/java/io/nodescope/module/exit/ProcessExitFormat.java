package io.nodescope.module.exit;

import io.nodescope.decode.RecordFormat;
import io.nodescope.decode.RecordReader;
import io.nodescope.decode.SharedStructs;

/**
 * Decodes struct ns_process_exit_event (bpf/exit.h). The offsets are checked against the BTF of
 * the compiled bpf/exit.bpf.o by ProcessExitLayoutTest.
 */
final class ProcessExitFormat {
    private ProcessExitFormat() {}

    static final int KIND = 2; // NS_EVENT_PROCESS_EXIT
    static final int VERSION = 1;
    static final int TASK = 16;
    static final int CODE = 56;
    static final int FLAGS = 60;
    static final int BYTES = 64;
    static final int F_OOM_VICTIM = 1; // NS_EXIT_F_OOM_VICTIM

    static final RecordFormat FORMAT = new RecordFormat(KIND, "process exit", VERSION, BYTES,
            ProcessExit.class, ProcessExitFormat::decode);

    static ProcessExit decode(RecordReader record, SharedStructs shared) {
        return new ProcessExit(
                shared.bootTimeNanos(record),
                shared.task(record, TASK),
                record.s32(CODE),
                (record.s32(FLAGS) & F_OOM_VICTIM) != 0);
    }
}
