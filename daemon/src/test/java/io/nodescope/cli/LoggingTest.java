package io.nodescope.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.config.NodescopeConfig;
import org.junit.jupiter.api.Test;

class LoggingTest {
    /**
     * java.util.logging holds loggers weakly: the configured level must not go with a collection
     * that runs before the first nodescope.* logger exists (it did in the image's small heap).
     */
    @Test
    void theConfiguredLevelSurvivesAGarbageCollection() {
        Logging.configure(NodescopeConfig.LogLevel.DEBUG);
        try {
            System.gc();
            assertTrue(System.getLogger("nodescope.logging-test").isLoggable(System.Logger.Level.DEBUG));
        } finally {
            Logging.configure(NodescopeConfig.LogLevel.INFO);
        }
    }
}
