package io.nodescope.symbol;

import java.util.Optional;

/**
 * What a line table (DWARF .debug_line) or a Go pclntab says about an address.
 *
 * @param function      the function name when the table knows it (a stripped Go binary's pclntab does)
 * @param functionEntry the function's first address when the table knows it: for the physical function
 *                      of a Go pc, not for a call inlined into it
 * @param line          1-based; 0 when only the file is known
 */
record SourceLocation(Optional<String> function, Optional<Long> functionEntry, String file, int line) {}
