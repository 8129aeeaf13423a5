package io.nodescope.deploy;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.nodescope.testing.RepositoryRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The capabilities the pod gets are written in four places: the chart's DaemonSet (and so
 * deploy/daemonset.yaml), podman's flags in deploy/image/run-local.sh, the README's
 * requirements and deploy/README.md's table of privileges. A capability added or dropped in one
 * must be in all, with its reason in the table.
 */
class CapabilityListsTest {
    private static final Path ROOT = RepositoryRoot.find();

    @Test
    void chartRunLocalAndReadmesNameTheSameCapabilities() throws IOException {
        Set<String> chart = chartCapabilities();
        assertAll(
                () -> assertEquals(chart, runLocalCapabilities(), "deploy/image/run-local.sh --cap-add= vs the chart's DaemonSet"),
                () -> assertEquals(chart, readmeCapabilities(), "README.md 'Requirements and privileges' vs the chart's DaemonSet"),
                () -> assertEquals(chart, deployReadmeCapabilities(), "deploy/README.md's privilege table vs the chart's DaemonSet"));
    }

    private static Set<String> chartCapabilities() {
        List<HelmChart.RenderedDocument> documents = HelmChart.documents(HelmChart.template(List.of(), Map.of()));
        DaemonSet daemonSet = documents.stream().filter(document -> document.template().equals("daemonset.yaml"))
                .map(document -> (DaemonSet) KubernetesObjects.parse(document.yaml())).findFirst().orElseThrow();
        return new TreeSet<>(daemonSet.getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getSecurityContext().getCapabilities().getAdd());
    }

    /** podman's "--cap-add=BPF,PERFMON,..." */
    private static Set<String> runLocalCapabilities() throws IOException {
        String script = Files.readString(ROOT.resolve("deploy/image/run-local.sh"));
        return new TreeSet<>(Arrays.asList(find("--cap-add=([A-Z_,]+)", script, "run-local.sh").split(",")));
    }

    /** The sentence "Root, or the capabilities CAP_BPF, ... ;" (what follows the ';' is not needed). */
    private static Set<String> readmeCapabilities() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        return capabilityNames(find("(?s)## Requirements and privileges.*?Root, or the capabilities([^;]*);", readme, "README.md"));
    }

    /** The first column of rows "| `CAP_BPF` | why |" (the reasons name other capabilities) */
    private static Set<String> deployReadmeCapabilities() throws IOException {
        return capabilityNames(String.join("\n", Files.readAllLines(ROOT.resolve("deploy/README.md")).stream()
                .filter(line -> line.startsWith("| `CAP_")).map(line -> line.split("\\|")[1]).toList()));
    }

    private static Set<String> capabilityNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("CAP_([A-Z_]+)").matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static String find(String regex, String text, String file) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError(file + " no longer matches " + regex + ": update CapabilityListsTest with it");
        }
        return matcher.group(1);
    }
}
