package io.nodescope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.event.NodeEvent;
import io.nodescope.module.oom.OomConstraint;
import io.nodescope.module.oom.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.symbol.UserStack;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.daemon.ProbeModules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Records captured from the real kernel rings (x86_64, kernel 6.18, tp_btf) during a 64 MiB
 * memcg OOM kill of demo/oom-alloc, by daemon/src/test/capture/CaptureOomRecords.java. The
 * values asserted are what that run saw; the relations between them hold for any real kill.
 */
class EventDecoderCapturedTest {
    private static final long PAGE_SIZE = 4096;
    private static final long LIMIT = 64L << 20;

    private final EventDecoder decoder = new EventDecoder(PAGE_SIZE, new MetricsRegistry(), ProbeModules.formats(ProbeModules.all()));

    private NodeEvent decode(String resource) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/captured/" + resource)) {
            byte[] record = in.readAllBytes();
            // Decoded at an offset inside a larger buffer, as records sit in the ring.
            ByteBuffer ring = ByteBuffer.allocate(record.length + 24).order(ByteOrder.LITTLE_ENDIAN);
            ring.put(16, record);
            return decoder.decode(ring, 16, record.length).orElseThrow();
        }
    }

    @Test
    void oomKillRecord() throws IOException {
        OomKill kill = (OomKill) decode("oom_kill_tp_btf.bin");

        assertEquals(ProbeSource.TP_BTF, kill.source());
        assertEquals("oom-alloc", kill.victim().comm());
        assertEquals(28313, kill.victim().tgid());
        assertEquals(kill.victim().tgid(), kill.victim().tid());
        assertEquals(kill.victim(), kill.trigger(), "oom-alloc faulted its own pages in");
        assertEquals(0, kill.victimOomScoreAdj());
        assertEquals(66846720, kill.victimMemory().rssAnonBytes());
        assertEquals(69906432, kill.victimMemory().totalVmBytes());
        assertEquals(180224, kill.victimMemory().pageTablesBytes());

        MemcgState memcg = kill.victimMemcg().orElseThrow();
        assertEquals(949475, memcg.id());
        assertEquals(kill.victim().memcgId(), memcg.id());
        assertEquals(LIMIT, memcg.limitBytes());
        assertEquals(LIMIT, memcg.usageBytes());
        assertEquals(1, memcg.oomEvents());
        assertEquals(1, memcg.oomKillEvents());
        assertEquals(OomConstraint.MEMCG, kill.constraint());
        assertEquals(memcg, kill.constrainingMemcg().orElseThrow());
        assertEquals("/nodescope-demo-28297", kill.victimCgroupPath().orElseThrow().path());
        assertEquals(List.of(memcg.id()), kill.victimCgroupPath().orElseThrow().idsInnermostFirst());

        // The memcg's memory.stat at the kill: a v1 memcg's usage is exactly its anon, file and
        // kernel pages, and oom-alloc's heap is anon on the inactive list.
        MemcgStat stat = kill.memcgStat().orElseThrow();
        assertEquals(memcg.id(), stat.memcgId());
        assertEquals(66912256, stat.get(MemcgStatItem.ANON));
        assertEquals(196608, stat.get(MemcgStatItem.KERNEL));
        assertEquals(memcg.usageBytes(), stat.get(MemcgStatItem.ANON) + stat.get(MemcgStatItem.FILE)
                + stat.get(MemcgStatItem.KERNEL));
        assertEquals(stat.get(MemcgStatItem.ANON), stat.get(MemcgStatItem.INACTIVE_ANON)
                + stat.get(MemcgStatItem.ACTIVE_ANON) + 106496, "anon pages not yet on an LRU list");
        assertEquals(184320, stat.get(MemcgStatItem.PAGETABLES));

        assertEquals(0, kill.triggerKernelStack().error());
        assertEquals(15, kill.triggerKernelStack().addresses().size());
        assertTrue(kill.triggerKernelStack().addresses().stream().allMatch(address -> address < 0),
                "kernel addresses are in the upper half");
        assertEquals(5, kill.triggerUserStack().addresses().size());
        assertEquals(0x55e6ae2c1244L, kill.triggerUserStack().addresses().getFirst());

        // Every user frame located in its file: four in the demo binary, the last in libc.
        List<Optional<UserFrameFiles.FileLocation>> located = kill.triggerUserFrameFiles().frames();
        assertEquals(5, located.size());
        assertEquals(0, kill.triggerUserFrameFiles().lookupError());
        KernelFile demo = located.getFirst().orElseThrow().file();
        assertEquals(Optional.of("/work/main/build/demo/oom-alloc"), demo.pathInFilesystem());
        assertEquals(List.of(0x1244L, 0x12ebL, 0x1376L, 0x1558L), located.subList(0, 4).stream()
                .map(frame -> frame.orElseThrow().offset()).toList());
        assertTrue(located.subList(0, 4).stream().allMatch(frame -> frame.orElseThrow().file().equals(demo)));
        assertEquals(Optional.of("/usr/lib/x86_64-linux-gnu/libc.so.6"),
                located.get(4).orElseThrow().file().pathInFilesystem());
        for (int frame = 0; frame < located.size(); frame++) {
            assertEquals(kill.triggerUserStack().addresses().get(frame) % PAGE_SIZE,
                    located.get(frame).orElseThrow().offset() % PAGE_SIZE, "mappings are page-aligned in the file");
        }

        // The registers and stack copy for unwinding: taken at the same moment as the frame-pointer stack.
        UserStack state = kill.triggerUserState().orElseThrow();
        assertEquals(kill.triggerUserStack().addresses().getFirst(), state.registers().rip());
        assertEquals(3024, state.stack().remaining(), "from rsp to the top of oom-alloc's stack");
        // The executable mappings it runs through, in the order the kernel found them: the one holding
        // rip (the demo's text), then libc's text, where the return address of main's caller lies.
        StackMappings mappings = kill.triggerStackMappings();
        assertEquals(List.of(demo, located.get(4).orElseThrow().file()),
                mappings.mappings().stream().map(StackMappings.Mapping::file).toList());
        StackMappings.Mapping text = mappings.mappings().getFirst();
        assertTrue(text.start() <= state.registers().rip() && state.registers().rip() < text.end());
        assertEquals(located.getFirst().orElseThrow().offset(), state.registers().rip() - text.start() + text.fileOffset());
        assertEquals(13, mappings.lookups());
        assertEquals(0, mappings.skipped());
        assertEquals(0, mappings.lookupError());
    }

    @Test
    void processExitRecordOfTheVictim() throws IOException {
        ProcessExit exit = (ProcessExit) decode("process_exit.bin");
        OomKill kill = (OomKill) decode("oom_kill_tp_btf.bin");

        assertEquals(kill.victim().tgid(), exit.task().tgid());
        assertTrue(exit.oomVictim());
        assertEquals(9, exit.terminatingSignal());
        assertEquals(137, exit.exitCode());
        assertTrue(exit.bootTimeNanos() > kill.bootTimeNanos(), "death after the mark");
        assertEquals(3_204_588, exit.bootTimeNanos() - kill.bootTimeNanos());
    }
}
