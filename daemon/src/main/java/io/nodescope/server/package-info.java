/**
 * The daemon's own HTTP endpoints over Netty: /healthz, /readyz, /metrics.
 */
package io.nodescope.server;
