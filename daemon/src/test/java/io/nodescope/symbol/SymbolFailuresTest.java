package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each failure counted under its cause, and told with its file and error on a debug line. */
class SymbolFailuresTest {
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final SymbolFailures failures = new SymbolFailures(metrics);
    private final List<String> lines = new ArrayList<>();
    private final Logger logger = Logger.getLogger("nodescope.symbol");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previousLevel;

    @BeforeEach
    void captureDebugLines() {
        previousLevel = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(capture);
    }

    @AfterEach
    void restoreLogging() {
        logger.removeHandler(capture);
        logger.setLevel(previousLevel);
    }

    @Test
    void eachErrnoIsCountedUnderItsCause() {
        failures.unreadable(Path.of("/host/proc/7/maps"), new NoSuchFileException("/host/proc/7/maps"));
        failures.unreadable(Path.of("/a"), new AccessDeniedException("/a"));
        // EPERM reaches Java as a plain FileSystemException carrying strerror's words.
        failures.unreadable(Path.of("/b"), new FileSystemException("/b", null, "Operation not permitted"));
        failures.unreadable(Path.of("/c"), new FileSystemException("/c", null, "Input/output error"));

        assertEquals(1, count("no_such_file"));
        assertEquals(2, count("permission_denied"));
        assertEquals(1, count("unreadable"));
    }

    @Test
    void theLastAttemptIsCountedAndEveryOneIsTold() {
        failures.unreadable("/usr/bin/app", List.of(
                new SymbolFailures.Attempt(Path.of("/host/proc/7/map_files/1-2"),
                        new FileSystemException("/host/proc/7/map_files/1-2", null, "Operation not permitted")),
                new SymbolFailures.Attempt(Path.of("/host/proc/7/root/usr/bin/app"),
                        new NoSuchFileException("/host/proc/7/root/usr/bin/app"))));

        assertEquals(1, count("no_such_file"));
        assertEquals(0, count("permission_denied"));
        assertEquals(List.of("cannot read /usr/bin/app; /host/proc/7/map_files/1-2: Operation not permitted; "
                + "/host/proc/7/root/usr/bin/app: No such file or directory (ENOENT)"), lines);
    }

    @Test
    void aFileInNoReachableNamespaceSaysWhereItWasLookedFor() {
        failures.notLocated("/usr/bin/app (device 254:0, inode 12)",
                List.of("/host/proc/1/root/usr/bin/app: Permission denied (EACCES)"));

        assertEquals(1, count("not_located"));
        assertTrue(lines.getFirst().contains("/host/proc/1/root/usr/bin/app: Permission denied"), lines.toString());
    }

    private long count(String cause) {
        String series = "nodescope_symbol_failures_total{cause=\"" + cause + "\"} ";
        return metrics.renderPrometheusText().lines().filter(line -> line.startsWith(series))
                .map(line -> (long) Double.parseDouble(line.substring(series.length()).trim())).findFirst().orElseThrow();
    }
}
