package io.nodescope.module.oom;

import io.nodescope.span.SpanFactory;
import io.nodescope.span.WorkloadResources;

import static io.nodescope.module.oom.OomKillAttributes.PROCESS_EXIT_CODE;
import static io.nodescope.module.oom.OomKillAttributes.PROCESS_PID;
import static io.nodescope.module.oom.OomKillAttributes.VICTIM_EXIT_SEEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nodescope.event.BootClock;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.TaskIdentity;
import io.nodescope.symbol.CapturedStacks;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OomKillAssemblerTest {
    private static final long EXIT_WAIT = Duration.ofSeconds(1).toNanos();

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<SpanData> spans = new ArrayList<>();
    private final OomKillSpanMapper mapper =
            new OomKillSpanMapper(new SpanFactory(BootClock.fixed(0), new WorkloadResources(Resource.empty())));
    private final OomKillAssembler assembler = new OomKillAssembler(
            (kill, exit) -> spans.add(mapper.toSpan(kill.enriched(), exit)), EXIT_WAIT, now::get);

    private void kill(int victimTgid) {
        assembler.onOomKill(new PendingOomKill(TestKills.enriched(TestKills.memcgKill(victimTgid)),
                CapturedStacks.NONE));
    }

    private void exit(int tgid) {
        assembler.onProcessExit(TestKills.sigkillExit(tgid));
    }

    private List<Long> reportedPids() {
        return spans.stream().map(span -> span.getAttributes().get(PROCESS_PID)).toList();
    }

    @Test
    void killWaitsForItsVictimsDeath() {
        kill(10);

        assertEquals(List.of(), spans);
        assertEquals(1, assembler.pendingCount());
    }

    @Test
    void exitOfTheVictimCompletesItsKill() {
        kill(10);
        kill(20);

        exit(20);

        assertEquals(List.of(20L), reportedPids());
        assertEquals(true, spans.get(0).getAttributes().get(VICTIM_EXIT_SEEN));
        assertEquals(137L, spans.get(0).getAttributes().get(PROCESS_EXIT_CODE));
        assertEquals(1, assembler.pendingCount());
    }

    @Test
    void exitWithoutAPendingKillIsIgnored() {
        kill(10);

        exit(99);

        assertEquals(List.of(), spans);
        assertEquals(1, assembler.pendingCount());
    }

    @Test
    void killIsReportedWithoutDeathOnceExitWaitHasPassed() {
        kill(10);
        now.addAndGet(EXIT_WAIT - 1);
        assembler.expire();
        assertEquals(List.of(), spans);

        now.addAndGet(1);
        assembler.expire();

        assertEquals(List.of(10L), reportedPids());
        assertEquals(false, spans.get(0).getAttributes().get(VICTIM_EXIT_SEEN));
        assertNull(spans.get(0).getAttributes().get(PROCESS_EXIT_CODE));
    }

    @Test
    void expiryReportsOnlyTheKillsOlderThanExitWait() {
        kill(10);
        now.addAndGet(EXIT_WAIT / 2);
        kill(20);
        now.addAndGet(EXIT_WAIT / 2);

        assembler.expire();

        assertEquals(List.of(10L), reportedPids());
        assertEquals(1, assembler.pendingCount());
    }

    @Test
    void exitAfterExpiryIsIgnored() {
        kill(10);
        now.addAndGet(EXIT_WAIT);
        assembler.expire();

        exit(10);

        assertEquals(1, spans.size());
    }

    @Test
    void flushReportsEveryPendingKillWithoutDeath() {
        kill(10);
        kill(20);

        assembler.flush();

        assertEquals(List.of(10L, 20L), reportedPids());
        assertEquals(0, assembler.pendingCount());
    }

    @Test
    void sameVictimMarkedTwiceReportsBoth() {
        kill(10);
        kill(10);

        exit(10);

        assertEquals(List.of(10L, 10L), reportedPids());
        assertEquals(false, spans.get(0).getAttributes().get(VICTIM_EXIT_SEEN));
        assertEquals(true, spans.get(1).getAttributes().get(VICTIM_EXIT_SEEN));
    }

    @Test
    void pendingKillsAreBoundedByReportingTheOldest() {
        for (int tgid = 1; tgid <= OomKillAssembler.MAX_PENDING; tgid++) {
            kill(tgid);
        }
        assertEquals(List.of(), spans);

        kill(OomKillAssembler.MAX_PENDING + 1);

        assertEquals(List.of(1L), reportedPids());
        assertEquals(OomKillAssembler.MAX_PENDING, assembler.pendingCount());
    }

    @Test
    void aDeathThatReachesTheRingBeforeItsKillStillCompletesIt() {
        // SIGKILL goes out before mark_oom_victim(): a sleeping victim can die first.
        exit(10);
        assertEquals(List.of(), spans);

        kill(10);

        assertEquals(List.of(10L), reportedPids());
        assertEquals(true, spans.get(0).getAttributes().get(VICTIM_EXIT_SEEN));
        assertEquals(0, assembler.pendingCount());
    }

    @Test
    void anEarlyDeathIsForgottenAfterTheWait() {
        exit(10);
        now.addAndGet(EXIT_WAIT);
        assembler.expire();

        kill(10);

        assertEquals(List.of(), spans, "the kill now waits for a death of its own");
        assertEquals(1, assembler.pendingCount());
    }

    @Test
    void deathsOfProcessesNotMarkedAsVictimsAreNotKept() {
        assembler.onProcessExit(new ProcessExit(1, new TaskIdentity(10, 10, 0, 0, "sh"), 9, false));

        kill(10);

        assertEquals(List.of(), spans);
    }
}
