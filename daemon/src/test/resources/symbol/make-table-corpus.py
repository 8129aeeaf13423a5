#!/usr/bin/env python3
"""Writes the malformed .gopclntab and .debug_line seeds of SymbolParsersFuzzTest. Each file's name
says which parser reads it (gopclntab-*, debug_line-*) and what is wrong with it; every one must be
rejected with MalformedSymbolDataException (MalformedInputTest)."""
import os
import struct

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "io", "nodescope", "symbol",
                     "SymbolParsersFuzzTestInputs")


def write(name, data):
    parser = "goPclnTable" if name.startswith("gopclntab-") else "dwarfLineTable"
    with open(os.path.join(SEEDS, parser, name), "wb") as f:
        f.write(data)


def pcln_header(magic=0xFFFFFFF1, nfunc=1, offsets=(0x48, 0x50, 0x58, 0x60, 0x68), text=0x401000, quantum=1, ptr=8):
    """Go 1.18+ pcHeader: magic, pads, minLC, ptrSize, nfunc, nfiles, textStart, 5 table offsets."""
    return struct.pack("<IBBBBQQQ5Q", magic, 0, 0, quantum, ptr, nfunc, 1, text, *offsets)


body = bytes(0x80 - 0x48)
write("gopclntab-wrong-magic.bin", pcln_header(magic=0xFFFFFFFB) + body)
write("gopclntab-truncated-header.bin", pcln_header()[:20])
write("gopclntab-huge-function-count.bin", pcln_header(nfunc=1 << 40) + body)
write("gopclntab-negative-function-count.bin", pcln_header(nfunc=(1 << 64) - 1) + body)
write("gopclntab-offsets-out-of-order.bin", pcln_header(offsets=(0x60, 0x50, 0x58, 0x60, 0x68)) + body)
write("gopclntab-offset-past-end.bin", pcln_header(offsets=(0x48, 0x50, 0x58, 0x60, 1 << 33)) + body)
write("gopclntab-bad-pointer-size.bin", pcln_header(ptr=3) + body)
write("gopclntab-bad-quantum.bin", pcln_header(quantum=3) + body)
# The functab's first entry points its _func at itself, whose entry field disagrees.
functab = struct.pack("<III", 0x10, 0x0, 0x20)
write("gopclntab-func-disagrees-with-functab.bin", pcln_header(offsets=(0x48, 0x48, 0x48, 0x48, 0x48)) + functab + bytes(16))


def line_unit(version, body):
    return struct.pack("<IH", len(body) + 2, version) + body


def v4_header(line_range=14, opcode_base=13, program=b""):
    lengths = bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1])[: opcode_base - 1]
    tables = b"\0" + b"a.c\0\0\0\0" + b"\0"
    rest = struct.pack("<BBBbBB", 1, 1, 1, -5, line_range, opcode_base) + lengths + tables
    return struct.pack("<I", len(rest)) + rest + program


write("debug_line-truncated.bin", line_unit(4, v4_header())[:9])
write("debug_line-unit-length-past-end.bin", struct.pack("<IH", 0x7FFFFFF0, 4) + v4_header())
write("debug_line-reserved-unit-length.bin", struct.pack("<IH", 0xFFFFFFF5, 4) + v4_header())
write("debug_line-version-9.bin", line_unit(9, v4_header()))
write("debug_line-zero-line-range.bin", line_unit(4, v4_header(line_range=0)))
write("debug_line-header-length-past-unit.bin", line_unit(4, struct.pack("<I", 0xFFFFFF) + v4_header()[4:]))
set_address = b"\0\x09\x02" + struct.pack("<Q", 0x2000)
end_sequence = b"\0\x01\x01"
write("debug_line-address-goes-back.bin",
      line_unit(4, v4_header(program=set_address + b"\x01" + b"\0\x09\x02" + struct.pack("<Q", 0x1000) + b"\x01" + end_sequence)))
write("debug_line-file-index-out-of-range.bin", line_unit(4, v4_header(program=set_address + b"\x04\x07\x01" + end_sequence)))
write("debug_line-extended-opcode-past-end.bin", line_unit(4, v4_header(program=b"\0\xff\xff\x03\x02")))
write("debug_line-endless-leb128.bin", line_unit(4, v4_header(program=b"\x02" + b"\xff" * 12)))
# v5: a directory count of 2^40 entries with one string field each; the unit has a few bytes.
v5_rest = struct.pack("<BBBbBB", 1, 1, 1, -5, 14, 13) + bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]) \
    + b"\x01\x01\x08" + b"\x80\x80\x80\x80\x80\x20" + b"x\0"
write("debug_line-v5-huge-directory-count.bin",
      line_unit(5, b"\x08\x00" + struct.pack("<I", len(v5_rest)) + v5_rest))
v5_no_fields = struct.pack("<BBBbBB", 1, 1, 1, -5, 14, 13) + bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]) \
    + b"\x00" + b"\x80\x80\x80\x80\x80\x20"
write("debug_line-v5-entries-without-fields.bin",
      line_unit(5, b"\x08\x00" + struct.pack("<I", len(v5_no_fields)) + v5_no_fields))
v5_line_strp = struct.pack("<BBBbBB", 1, 1, 1, -5, 14, 13) + bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]) \
    + b"\x01\x01\x1f" + b"\x01" + struct.pack("<I", 0x7FFFFFFF) + b"\x01\x01\x08\x00"
write("debug_line-v5-line-strp-past-end.bin",
      line_unit(5, b"\x08\x00" + struct.pack("<I", len(v5_line_strp)) + v5_line_strp))
