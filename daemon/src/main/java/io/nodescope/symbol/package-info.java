/**
 * Stage 5, symbolize: instruction addresses to frames. Kernel addresses through /proc/kallsyms;
 * user addresses through the process's memory map (captured while it lives) to the mapped ELF file,
 * its symbol tables, separate debug files and MiniDebugInfo, Go's .gopclntab, DWARF .debug_line, and
 * JIT perf maps. User stack copies (registers and stack bytes from the event) are unwound through
 * the mapped files' DWARF call frame information, frame pointers where there is none. Everything
 * here reads files the node's workloads control, so every parser is bounded and failures are
 * counted, never thrown at the pipeline.
 */
package io.nodescope.symbol;
