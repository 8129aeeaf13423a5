package io.nodescope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class PrivilegedTest {
    private static final List<String> NOT_ROOT = List.of("not root (euid 1000), needed because the test creates cgroups");

    @Test
    void runsWhenEveryRequirementIsMet() {
        assertFalse(Privileged.decide(List.of(), false).isDisabled());
        assertFalse(Privileged.decide(List.of(), true).isDisabled());
    }

    @Test
    void skipsWithTheReasonOutsideCi() {
        ConditionEvaluationResult result = Privileged.decide(NOT_ROOT, false);

        assertTrue(result.isDisabled());
        assertEquals(NOT_ROOT.getFirst(), result.getReason().orElseThrow());
    }

    @Test
    void failsWithTheReasonOnCi() {
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> Privileged.decide(NOT_ROOT, true));

        assertTrue(failure.getMessage().contains(NOT_ROOT.getFirst()), failure.getMessage());
    }
}
