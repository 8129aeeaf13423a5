package io.nodescope.proc;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentitySettingsTest {
    private static final Map<String, String> IN_CLUSTER = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
            "NODE_NAME", "node-a");

    @Test
    void inAClusterThePodWatchIsOn() {
        IdentitySettings settings = IdentitySettings.fromEnvironment(IN_CLUSTER, true);

        assertTrue(settings.kubernetes());
        assertEquals(Optional.of("node-a"), settings.nodeName());
        assertFalse(settings.commandLine(), "command lines hold secrets: off unless asked for");
    }

    @Test
    void aLocalRunNeedsNoApiServer() {
        assertFalse(IdentitySettings.fromEnvironment(Map.of(), false).kubernetes());
        assertFalse(IdentitySettings.fromEnvironment(IN_CLUSTER, false).kubernetes(), "no service account token");
    }

    @Test
    void explicitSettingsWin() {
        assertTrue(IdentitySettings.fromEnvironment(Map.of("NODESCOPE_KUBERNETES", "true", "NODE_NAME", "n"), false)
                .kubernetes());
        assertFalse(IdentitySettings.fromEnvironment(Map.of("NODESCOPE_KUBERNETES", "false", "NODE_NAME", "n",
                "KUBERNETES_SERVICE_HOST", "10.96.0.1"), true).kubernetes());
        assertTrue(IdentitySettings.fromEnvironment(Map.of("NODESCOPE_COMMAND_LINE", "true"), false).commandLine());
    }

    @Test
    void withoutANodeNameThereIsNoWatch() {
        assertFalse(IdentitySettings.fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), true)
                .kubernetes());
    }

    @Test
    void aTypoIsAnErrorNotADefault() {
        assertThrows(IllegalArgumentException.class,
                () -> IdentitySettings.fromEnvironment(Map.of("NODESCOPE_COMMAND_LINE", "ture"), false));
    }
}
