package io.nodescope.export;

import java.time.Duration;

/**
 * Batching of one export queue. Defaults follow OTEL_BSP_* except the schedule delay: the SDK's
 * 5 s would hold an OOM report back; nodescope sends within 200 ms unless OTEL_BSP_SCHEDULE_DELAY
 * says otherwise.
 */
public record ExportSettings(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay,
                             Duration exportTimeout, int maxConcurrentExports) {
    public static final ExportSettings DEFAULTS =
            new ExportSettings(2048, 512, Duration.ofMillis(200), Duration.ofSeconds(30), 4);

    public ExportSettings {
        if (maxQueueSize < 1 || maxExportBatchSize < 1 || maxConcurrentExports < 1) {
            throw new IllegalArgumentException("queue size, batch size and concurrency must be positive");
        }
        if (maxExportBatchSize > maxQueueSize) {
            maxExportBatchSize = maxQueueSize;
        }
    }
}
