package io.nodescope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.MemcgState;
import io.nodescope.module.oom.OomConstraint;
import io.nodescope.module.oom.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import io.nodescope.module.oom.VictimMemory;
import io.nodescope.record.EventRecorder;
import io.nodescope.daemon.ProbeModules;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.OtlpReceiver.Protocol;
import io.nodescope.testing.OtlpReceiver.ReceivedMetric;
import io.nodescope.testing.OtlpReceiver.ReceivedSpan;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --replay end to end without root: a recording goes through the same pipeline as kernel
 * events and arrives over real OTLP (HTTP, loopback), with the recording's wall-clock times.
 */
class ReplayToOtlpTest {
    /** The recording node's wall clock minus its boot clock: 2026-11-23T07:00:00Z minus 1000 s of uptime. */
    private static final long BOOT_TO_WALL_OFFSET = 1_795_417_200_000_000_000L - 1_000_000_000_000L;
    private static final long KILL_BOOT_NANOS = 1_000_000_000_000L + 5_000_000L;
    private static final long DEATH_BOOT_NANOS = KILL_BOOT_NANOS + 3_250_000L;

    @TempDir
    Path dir;

    @Test
    void recordedKillAndDeathBecomeOneSpanWithTheRecordedTimes() throws Exception {
        Path recording = dir.resolve("node.rec");
        try (EventRecorder recorder = EventRecorder.create(recording, ProbeModules.codecs(ProbeModules.all()), "node-a", "6.18.0", BOOT_TO_WALL_OFFSET)) {
            recorder.record(kill());
            recorder.record(new ProcessExit(DEATH_BOOT_NANOS, new TaskIdentity(321, 321, 0, 77, "worker"), 9, true));
        }
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.HTTP_PROTOBUF, 0)) {
            Path config = dir.resolve("nodescope.properties");
            Files.writeString(config, """
                    otel.exporter.otlp.endpoint=%s
                    otel.exporter.otlp.protocol=http/protobuf
                    otel.service.name=replayed
                    """.formatted(receiver.endpoint()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int exit = Main.run(List.of("--replay", recording.toString(), "--config", config.toString()),
                    Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("replayed 2 events"));
            assertEquals("", out.toString(StandardCharsets.UTF_8), "an OTLP endpoint turns the console off");
            // Main.run returns after the export queue flushed: the span is already there.
            List<ReceivedSpan> spans = receiver.spans();
            assertEquals(1, spans.size());
            ReceivedSpan span = spans.getFirst();
            assertEquals("oom.kill", span.span().getName());
            assertEquals(BOOT_TO_WALL_OFFSET + KILL_BOOT_NANOS, span.span().getStartTimeUnixNano());
            assertEquals(BOOT_TO_WALL_OFFSET + DEATH_BOOT_NANOS, span.span().getEndTimeUnixNano());
            assertEquals(321, span.attribute("process.pid").orElseThrow().getIntValue());
            assertEquals(137, span.attribute("process.exit.code").orElseThrow().getIntValue());
            assertEquals(256L << 20, span.attribute("nodescope.oom.memcg.limit_bytes").orElseThrow().getIntValue());
            assertEquals("replayed", span.resourceAttribute("service.name").orElseThrow().getStringValue());
            assertEquals("node-a", span.resourceAttribute("host.name").orElseThrow().getStringValue(),
                    "the kill happened on the recording's node, not on the one replaying it");
            // The daemon's shutdown exported its metrics once more, after the spans, on the node's Resource.
            ReceivedMetric exported = receiver.metrics().stream()
                    .filter(m -> m.metric().getName().equals("nodescope_spans_exported_total")).toList().getLast();
            assertEquals(1, exported.metric().getSum().getDataPointsList().stream()
                    .filter(p -> p.getAttributes(0).getValue().getStringValue().equals("otlp"))
                    .mapToLong(NumberDataPoint::getAsInt).sum());
            assertEquals("replayed", exported.resourceAttribute("service.name").orElseThrow().getStringValue());
        }
    }

    @Test
    void aMissingRecordingIsOneLineAndExitOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of("--replay", dir.resolve("absent.rec").toString()), Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(1, exit);
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("nodescope: ") && message.contains("absent.rec"), message);
    }

    private static OomKill kill() {
        MemcgState pod = new MemcgState(77, 256L << 20, 256L << 20, 12, 1, 1, 0, MemcgState.UNLIMITED);
        TaskIdentity worker = new TaskIdentity(321, 321, 0, 77, "worker");
        return new OomKill(KILL_BOOT_NANOS, ProbeSource.TP_BTF, worker, 0,
                new VictimMemory(300L << 20, 250L << 20, 4L << 20, 0, 1L << 20), Optional.of(pod),
                OomConstraint.MEMCG, Optional.of(pod), worker, new RawStack(List.of(0xffffffff81000000L), 0),
                new RawStack(List.of(0x401000L), 0));
    }
}
