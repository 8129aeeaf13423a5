package io.nodescope.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One truth: deploy/'s manifests are what the chart renders with its defaults. */
class PlainManifestsTest {
    @Test
    void deployManifestsAreTheChartRenderedWithDefaults() throws IOException {
        Map<String, String> rendered = PlainManifests.render();
        assertEquals(Set.of("configmap.yaml", "daemonset.yaml", "rbac.yaml"), rendered.keySet(),
                "templates rendered with default values");
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            assertEquals(file.getValue(), Files.readString(PlainManifests.deployDirectory().resolve(file.getKey())),
                    "deploy/" + file.getKey() + " differs from the chart deploy/helm/nodescope rendered with its"
                            + " defaults: change the chart, not the file, and run `make manifests`");
        }
    }
}
