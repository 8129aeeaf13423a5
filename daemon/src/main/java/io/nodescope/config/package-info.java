/**
 * One immutable configuration merged from flags, a config file and the environment (OTEL_* included).
 */
package io.nodescope.config;
