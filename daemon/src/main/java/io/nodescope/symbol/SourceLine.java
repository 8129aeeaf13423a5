package io.nodescope.symbol;

/** A source position from DWARF line tables: the file's path as the compiler recorded it, and its line. */
record SourceLine(String file, int line) {}
