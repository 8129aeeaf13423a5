package io.nodescope.server;

import java.time.Duration;

/** Bounds on what one client connection may cost the daemon. */
record ServerLimits(int maxRequestBytes, Duration idleTimeout) {
    // The endpoints take no body, so a few KiB only has to absorb stray posts. Scrapers and probes
    // reconnect cheaply, so closing a quiet connection after 30 s costs them nothing.
    static final ServerLimits DEFAULT = new ServerLimits(8 * 1024, Duration.ofSeconds(30));
}
