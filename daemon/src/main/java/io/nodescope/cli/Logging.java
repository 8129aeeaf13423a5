package io.nodescope.cli;

import io.nodescope.config.NodescopeConfig;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record on stderr (stdout carries the spans of the console output). Stack
 * traces only at debug level: a user error is a sentence, not a trace.
 */
final class Logging {
    /**
     * Holds the logger whose level lets nodescope's INFO lines through. java.util.logging keeps
     * loggers only weakly: a level set on a logger nobody references is lost at the next GC, and
     * its children created after (nodescope.daemon, nodescope.bpf) then inherit the root's WARNING.
     * With OTLP configured the SDK's start-up allocates enough to collect before those classes load.
     */
    private static final Logger NODESCOPE = Logger.getLogger("nodescope");

    private Logging() {}

    static void configure(NodescopeConfig.LogLevel level) {
        Level julLevel = switch (level) {
            case ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.FINE;
        };
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(julLevel);
        handler.setFormatter(new OneLineFormatter(level == NodescopeConfig.LogLevel.DEBUG));
        root.addHandler(handler);
        root.setLevel(Level.WARNING); // libraries (Netty, OkHttp, the SDK) stay quiet below warnings
        NODESCOPE.setLevel(julLevel);
    }

    private static final class OneLineFormatter extends Formatter {
        private final boolean withStackTraces;

        OneLineFormatter(boolean withStackTraces) {
            this.withStackTraces = withStackTraces;
        }

        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160)
                    .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(levelName(record.getLevel())).append(' ')
                    .append(record.getLoggerName()).append(": ")
                    .append(formatMessage(record));
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                line.append(" (").append(thrown).append(')');
                if (withStackTraces) {
                    for (StackTraceElement frame : thrown.getStackTrace()) {
                        line.append("\n    at ").append(frame);
                    }
                }
            }
            return line.append('\n').toString();
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            return level.intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
        }
    }
}
