/**
 * Wires the stages into a running daemon: the event sources (kernel rings or a replay), the
 * pipeline from decoded event to span, the exporters and the HTTP server, and their shutdown.
 */
package io.nodescope.daemon;
