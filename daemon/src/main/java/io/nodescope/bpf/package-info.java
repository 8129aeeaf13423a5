/**
 * The only package that touches libbpf: loading libbpf, opening the embedded BPF objects, feature probes, attaching and detaching programs, reading maps.
 */
package io.nodescope.bpf;
