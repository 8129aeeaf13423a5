package io.nodescope.testing;

import static org.junit.platform.commons.support.AnnotationSupport.findAnnotation;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a {@link RequiresTools} test only where its programs are on PATH, by the same rule as
 * {@link Privileged}: skip with the reason on a developer machine, fail with it when CI=true, so a
 * CI image that lost its compilers cannot pass by skipping the tests of real binaries.
 */
public final class Toolchain implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> unmet = new ArrayList<>();
        context.getElement().flatMap(element -> findAnnotation(element, RequiresTools.class)).ifPresent(tools -> {
            List<String> missing = Arrays.stream(tools.value()).filter(tool -> find(tool).isEmpty()).toList();
            if (!missing.isEmpty()) {
                unmet.add("not on PATH: " + String.join(", ", missing) + " (" + tools.install() + ")");
            }
        });
        return Privileged.decide(unmet, "true".equals(System.getenv("CI")));
    }

    /** The executable PATH would run for {@code command}, if any. */
    public static Optional<Path> find(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, command))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
