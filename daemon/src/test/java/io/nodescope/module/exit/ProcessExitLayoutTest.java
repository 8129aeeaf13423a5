package io.nodescope.module.exit;

import static io.nodescope.module.exit.ProcessExitFormat.*;

import io.nodescope.testing.ObjectBtf;
import org.junit.jupiter.api.Test;

/** Every offset ProcessExitFormat uses, checked against the BTF of the compiled bpf/exit.bpf.o. */
class ProcessExitLayoutTest {
    @Test
    void processExitEvent() throws Exception {
        ObjectBtf btf = ObjectBtf.of("exit.bpf.o");
        btf.assertSize("ns_process_exit_event", BYTES);
        btf.assertOffset("ns_process_exit_event.task", TASK);
        btf.assertOffset("ns_process_exit_event.exit_code", CODE);
        btf.assertOffset("ns_process_exit_event.flags", FLAGS);
    }
}
