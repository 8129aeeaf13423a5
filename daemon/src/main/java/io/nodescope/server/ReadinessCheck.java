package io.nodescope.server;

import java.util.Optional;

/** Why the daemon is not ready yet; empty when ready. */
@FunctionalInterface
public interface ReadinessCheck {
    Optional<String> notReadyReason();
}
