package io.nodescope.symbol;

/**
 * What unwinding needs of one executable region of a process: its file's unwind table (null for
 * anonymous code, or a file that could not be read) and how a pc there becomes an address in the
 * file ({@code pc + fileAddressDelta}, undoing the load bias through the file's PT_LOAD headers).
 */
record UnwindRegion(UnwindTable table, long fileAddressDelta) {}
