package io.nodescope.testing;

import static org.junit.platform.commons.support.AnnotationSupport.findAnnotation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a {@link RequiresRoot} / {@link RequiresMemoryCgroup} test only where the machine
 * allows it. A developer without root gets a skip that says why; CI=true turns that skip
 * into a failure, because a CI job that silently skips every privileged test would pass
 * while testing nothing that touches the kernel.
 */
public final class Privileged implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> unmet = new ArrayList<>();
        context.getElement().ifPresent(element -> unmet.addAll(unmetRequirements(element)));
        return decide(unmet, "true".equals(System.getenv("CI")));
    }

    /**
     * Separate from the environment probing so the skip-or-fail rule can be unit tested; shared
     * with {@link Toolchain}, whose tests follow the same rule.
     */
    static ConditionEvaluationResult decide(List<String> unmet, boolean failInsteadOfSkip) {
        if (unmet.isEmpty()) {
            return ConditionEvaluationResult.enabled("requirements met");
        }
        String reason = String.join("; ", unmet);
        if (failInsteadOfSkip) {
            // JUnit reports an exception thrown by a condition as a failure of the test.
            throw new IllegalStateException("CI=true, so these tests must run, not skip: " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    private static List<String> unmetRequirements(AnnotatedElement element) {
        List<String> unmet = new ArrayList<>();
        findAnnotation(element, RequiresRoot.class).ifPresent(requirement -> {
            long euid = effectiveUid();
            if (euid != 0) {
                unmet.add("not root (euid " + euid + "), needed because the test " + requirement.value()
                        + ": run `sudo make test`");
            }
        });
        findAnnotation(element, RequiresMemoryCgroup.class).ifPresent(requirement -> {
            if (MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).isEmpty()) {
                unmet.add(MemoryHierarchy.missingMessage(MemoryHierarchy.CGROUP_MOUNT)
                        + ", needed because the test " + requirement.value());
            }
        });
        return unmet;
    }

    /** /proc/self belongs to the process's effective uid, the one the kernel checks. */
    private static long effectiveUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of /proc/self", e);
        }
    }
}
