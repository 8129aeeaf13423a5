/**
 * Stage 6, export: a bounded span queue feeding the OTLP exporters and the console output, with drop and failure counters.
 */
package io.nodescope.export;
