/**
 * Stage 0, entry point: parses flags, wires the stages, maps failures to exit codes and one-line messages.
 */
package io.nodescope.cli;
