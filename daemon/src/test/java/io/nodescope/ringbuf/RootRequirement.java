package io.nodescope.ringbuf;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.sun.security.auth.module.UnixSystem;

/** Privileged tests skip without root, except in CI (CI=true), where a skip would hide a broken setup. */
final class RootRequirement {
    private RootRequirement() {}

    static void requireRoot() {
        if (new UnixSystem().getUid() == 0) {
            return;
        }
        String why = "needs root to load BPF programs and map ring buffers (run 'sudo make test')";
        if ("true".equals(System.getenv("CI"))) {
            fail(why + "; CI=true, so not skipping");
        }
        abort(why);
    }
}
