/**
 * Stage 2, decode: one decoder per bpf/<name>.h struct, bytes to immutable event records.
 */
package io.nodescope.decode;
