package io.nodescope.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

/**
 * A const volatile global set before load is what the loaded program sees: the kernel's copy of
 * .rodata (a frozen one-entry array map) holds the value.
 */
@RequiresRoot("loads a BPF object")
class ReadOnlyGlobalsIT {
    @Test
    void theLoadedObjectSeesTheValueSetBeforeLoad() throws Exception {
        try (BpfObject object = BpfObject.openEmbedded("oom.bpf.o")) {
            object.selectPrograms(java.util.Set.of("oom_mark_victim_btf"));
            object.setReadOnlyGlobal("near_limit_pages", 4242);
            object.load();
            // near_limit_pages is oom.bpf.o's only read-only global: it sits at offset 0.
            assertEquals(4242, object.readArrayU64(".rodata", 0));
        }
    }

    @Test
    void anUnknownGlobalIsRefusedByName() throws Exception {
        try (BpfObject object = BpfObject.openEmbedded("oom.bpf.o")) {
            BpfSetupException refused = assertThrows(BpfSetupException.class,
                    () -> object.setReadOnlyGlobal("no_such_threshold", 1));
            assertTrue(refused.getMessage().contains("no const volatile global no_such_threshold"),
                    refused.getMessage());
        }
    }
}
