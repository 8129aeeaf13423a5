/**
 * Stage 1, drain: BPF ring buffers mmapped through JNA and read without a per-event native call.
 */
package io.nodescope.ringbuf;
