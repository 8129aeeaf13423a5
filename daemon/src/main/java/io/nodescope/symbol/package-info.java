/**
 * Stage 4, symbol: stacks to frames (kernel symbols, ELF, debug files, Go pclntab, DWARF lines, perf maps).
 */
package io.nodescope.symbol;
