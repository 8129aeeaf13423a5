#!/usr/bin/env python3
"""Regenerates the ELF fuzz seeds (SymbolParsersFuzzTestInputs/elfFile/): each file is a small real ELF (argv[1], e.g. libsymtest.so) broken one way.

Committed output is the regression corpus for the ELF, symbol, note, compression and MiniDebugInfo
parsers (and a seed corpus for fuzzing); the file name says what is wrong with it.
"""
import lzma
import struct
import sys
import zlib
from pathlib import Path

base = bytearray(Path(sys.argv[1]).read_bytes())
out = Path(__file__).parents[1] / "io/nodescope/symbol/SymbolParsersFuzzTestInputs/elfFile"
out.mkdir(parents=True, exist_ok=True)

shoff, = struct.unpack_from("<Q", base, 40)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", base, 58)


def section_headers():
    names_off = struct.unpack_from("<Q", base, shoff + shstrndx * shentsize + 24)[0]
    for i in range(shnum):
        at = shoff + i * shentsize
        name, kind = struct.unpack_from("<II", base, at)
        end = base.index(0, names_off + name)
        yield i, at, kind, base[names_off + name:end].decode()


def header_of(kind_wanted=None, name_wanted=None):
    for i, at, kind, name in section_headers():
        if kind == kind_wanted or name == name_wanted:
            return at
    raise SystemExit("no such section")


def write(name, data):
    (out / name).write_bytes(bytes(data))


def patched(offset, fmt, value):
    data = bytearray(base)
    struct.pack_into(fmt, data, offset, value)
    return data


write("empty", b"")
write("magic-only", base[:4])
write("header-only", base[:64])
write("elf32-class", patched(4, "<B", 1))
write("unknown-byte-order", patched(5, "<B", 7))
write("truncated-in-section-headers", base[:shoff + shentsize * 2 + 10])
write("section-header-offset-past-end", patched(40, "<Q", len(base) + 4096))
write("section-count-max", patched(60, "<H", 0xffff))
write("section-names-index-out-of-range", patched(62, "<H", 0xfff0))
write("program-header-offset-negative", patched(32, "<Q", 0xffffffffffffff00))
write("program-header-count-max", patched(56, "<H", 0xffff))
symtab = header_of(kind_wanted=2)
write("symtab-size-past-end", patched(symtab + 32, "<Q", 0x7fffffffffffffff))
write("symtab-offset-past-end", patched(symtab + 24, "<Q", len(base) * 2))
write("symtab-link-out-of-range", patched(symtab + 40, "<I", 0xffffffff))
write("symtab-link-to-itself", patched(symtab + 40, "<I", (symtab - shoff) // shentsize))
note = header_of(name_wanted=".note.gnu.build-id")
note_off, = struct.unpack_from("<Q", base, note + 24)
write("build-id-note-descsz-huge", patched(note_off + 4, "<I", 0xfffffff0))
write("build-id-note-namesz-huge", patched(note_off, "<I", 0xfffffff0))

# An SHF_COMPRESSED .symtab whose header claims 16 GiB inflated.
data = bytearray(base)
struct.pack_into("<Q", data, symtab + 8, 0x800)
sym_off, = struct.unpack_from("<Q", data, symtab + 24)
struct.pack_into("<IIQQ", data, sym_off, 1, 0, 16 << 30, 1)
write("compressed-section-claims-16GiB", data)
# A compressed .symtab with a correct size but a zlib stream cut short.
data = bytearray(base)
sym_size, = struct.unpack_from("<Q", data, symtab + 32)
stream = zlib.compress(bytes(sym_size))[: 8]
struct.pack_into("<Q", data, symtab + 8, 0x800)
struct.pack_into("<IIQQ", data, sym_off, 1, 0, sym_size, 1)
data[sym_off + 24:sym_off + 24 + len(stream)] = stream
write("compressed-section-stream-cut", data)


def with_debugdata(payload, name):
    """Renames .comment to .gnu_debugdata (a copy of the section-name table with the new name, appended)
    and points it at payload, appended after that."""
    data = bytearray(base)
    comment = header_of(name_wanted=".comment")
    names_header = shoff + shstrndx * shentsize
    names_off, names_size = struct.unpack_from("<QQ", data, names_header + 24)
    names = data[names_off:names_off + names_size] + b".gnu_debugdata\0"
    struct.pack_into("<I", data, comment, names_size)
    struct.pack_into("<QQ", data, names_header + 24, len(data), len(names))
    data += names
    struct.pack_into("<QQ", data, comment + 24, len(data), len(payload))
    data += payload
    write(name, data)


with_debugdata(b"\xfd7zXZ\x00garbage-after-the-magic", "debugdata-not-xz")
with_debugdata(lzma.compress(bytes(96 << 20), format=lzma.FORMAT_XZ), "debugdata-xz-bomb-96MiB")
with_debugdata(lzma.compress(b"\x7fELF" + bytes(60), format=lzma.FORMAT_XZ), "debugdata-xz-of-broken-elf")
