package io.nodescope.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSpanExporterTest {
    /** 2024-05-01T12:00:00.123456789Z */
    private static final long START = 1_714_564_800_123_456_789L;

    private static String print(SpanData... spans) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertTrue(new ConsoleSpanExporter(out).export(List.of(spans)).isSuccess());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsHeadlineStatusSortedAttributesWorkloadAndTraceId() {
        SpanData span = TestSpans.span("oom.kill", START, START + 12_345_678,
                Attributes.builder()
                        .put("process.pid", 4242L)
                        .put("nodescope.memcg.limit_bytes", 33_554_432L)
                        .put("process.executable.name", "oom-alloc")
                        .build(),
                "OOM killer killed oom-alloc (pid 4242) at memcg limit 32.0 MiB, exit code 137",
                Resource.builder().put("service.name", "nodescope")
                        .put("nodescope.cgroup.path", "/memory/test").build());

        assertEquals("""
                2024-05-01T12:00:00.123456789Z  OOM.KILL  (12.3 ms)
                  OOM killer killed oom-alloc (pid 4242) at memcg limit 32.0 MiB, exit code 137
                    nodescope.memcg.limit_bytes = 33554432
                    process.executable.name = oom-alloc
                    process.pid = 4242
                    nodescope.cgroup.path = /memory/test
                    trace_id = %s

                """.formatted(span.getTraceId()), print(span));
    }

    @Test
    void omitsTheStatusLineWhenThereIsNoDescription() {
        SpanData span = TestSpans.span("oom.kill", START, START, Attributes.of(AttributeKey.longKey("a"), 1L), "",
                Resource.empty());

        assertEquals("""
                2024-05-01T12:00:00.123456789Z  OOM.KILL  (0.0 ms)
                    a = 1
                    trace_id = %s

                """.formatted(span.getTraceId()), print(span));
    }

    @Test
    void printsAStackOneFramePerLineAndLeavesOutWhatRepeatsIt() {
        SpanData span = TestSpans.span("oom.kill", START, START, Attributes.builder()
                        .put(AttributeKey.stringArrayKey("nodescope.oom.trigger.user_stack"),
                                List.of("touch_pages+0x12 (/bin/oom-alloc+0x1234)", "main+0x40 (/bin/oom-alloc+0x14f1)"))
                        .put(AttributeKey.stringArrayKey("nodescope.oom.trigger.user_stack.addresses"),
                                List.of("0x55d76045d234", "0x55d76045d4f1"))
                        .put("code.stacktrace", "touch_pages+0x12 (/bin/oom-alloc+0x1234)\nmain+0x40 (/bin/oom-alloc+0x14f1)")
                        .build(), "", Resource.empty());

        assertEquals("""
                2024-05-01T12:00:00.123456789Z  OOM.KILL  (0.0 ms)
                    nodescope.oom.trigger.user_stack =
                        touch_pages+0x12 (/bin/oom-alloc+0x1234)
                        main+0x40 (/bin/oom-alloc+0x14f1)
                    trace_id = %s

                """.formatted(span.getTraceId()), print(span));
    }

    @Test
    void leavesNodeResourceAttributesOutButPrintsWorkloadOnes() {
        SpanData span = TestSpans.span("oom.kill", START, START, Attributes.empty(), "",
                Resource.builder().put("host.name", "node-1").put("k8s.pod.name", "web-0")
                        .put("container.id", "abc").build());

        String text = print(span);

        assertTrue(!text.contains("host.name"), text);
        assertTrue(text.contains("    container.id = abc\n    k8s.pod.name = web-0\n"), text);
    }

    @Test
    void printsOneBlockPerSpanInOrder() {
        String text = print(TestSpans.numbered(1), TestSpans.numbered(2));

        assertTrue(text.indexOf("SPAN-1") < text.indexOf("SPAN-2"), text);
        assertEquals(2, text.split("\n\n", -1).length - 1, text);
    }
}
