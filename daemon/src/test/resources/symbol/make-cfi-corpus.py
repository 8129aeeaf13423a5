#!/usr/bin/env python3
"""Writes the .eh_frame seeds of SymbolParsersFuzzTest#callFrameInformation: eh_frame-*-valid.bin
are well-formed, every other eh_frame-*.bin has one defect its name says, and must be rejected with
MalformedSymbolDataException (MalformedCallFrameInfoTest). Offsets are section offsets; the section
is read as loaded at CfiParsers.SECTION_ADDRESS, so pc-relative pointers land near it."""
import os
import struct

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "io", "nodescope", "symbol",
                     "SymbolParsersFuzzTestInputs", "callFrameInformation")
PCREL_SDATA4 = 0x1B
# def_cfa rsp+8; offset ra at cfa-8: what every x86-64 CIE starts with.
CIE_RULES = bytes([0x0C, 0x07, 0x08, 0x90, 0x01])


def uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def sleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def entry(body):
    body += bytes(-(len(body) + 4) % 8)  # DW_CFA_nop padding
    return struct.pack("<I", len(body)) + body


def cie(augmentation=b"zR", version=1, encoding=PCREL_SDATA4, rules=CIE_RULES, header_extra=b""):
    body = struct.pack("<I", 0) + bytes([version]) + augmentation + b"\0" + header_extra
    body += uleb(1) + sleb(-8) + bytes([16])
    if augmentation.startswith(b"z"):
        data = bytes([encoding]) if b"R" in augmentation else b""
        body += uleb(len(data)) + data
    return entry(body + rules)


def fde(offset, cie_offset, instructions, pc_begin=0x1000, pc_range=0x100, encoding=PCREL_SDATA4):
    """An FDE at section offset `offset` for a CIE at `cie_offset`; pc_begin is an absolute address."""
    pointer_field = offset + 4
    body = struct.pack("<I", (pointer_field - cie_offset) & 0xFFFFFFFF)
    if encoding == PCREL_SDATA4:
        field_address = 0x2000 + offset + 8
        body += struct.pack("<ii", pc_begin - field_address, pc_range)
    else:
        body += struct.pack("<QQ", pc_begin & (2**64 - 1), pc_range)
    return entry(body + uleb(0) + instructions)


def section(instructions=b"", **cie_arguments):
    head = cie(**cie_arguments)
    return head + fde(len(head), 0, instructions) + bytes(4)


def write(name, data):
    with open(os.path.join(SEEDS, name), "wb") as f:
        f.write(data)


# push rbp; mov rsp,rbp; ... : rows rsp+16, rbp+16.
write("eh_frame-frame-pointer-function-valid.bin",
      section(bytes([0x41, 0x0E, 0x10, 0x86, 0x02, 0x43, 0x0D, 0x06])))
# The PLT's CFA expression and a signal trampoline's, as glibc emits them.
plt = bytes([0x77, 0x08, 0x80, 0x00, 0x3F, 0x1A, 0x3B, 0x2A, 0x33, 0x24, 0x22])
write("eh_frame-plt-expression-valid.bin", section(bytes([0x0F, len(plt)]) + plt))
write("eh_frame-signal-frame-valid.bin",
      section(bytes([0x0F, 0x04, 0x77, 0xA0, 0x01, 0x06, 0x10, 0x10, 0x03, 0x77, 0xA8, 0x01]), augmentation=b"zRS"))

head = cie()
write("eh_frame-entry-length-past-end.bin", struct.pack("<I", 0x7FFFFFF0) + head[4:])
write("eh_frame-cie-version-2.bin", section(version=2))
write("eh_frame-cie-augmentation-without-z.bin", section(augmentation=b"eh"))
write("eh_frame-cie-version-4-address-size-4.bin", section(version=4, header_extra=bytes([4, 0])))
write("eh_frame-unknown-pointer-format.bin", section(encoding=0x17))
write("eh_frame-textrel-pointer-base.bin", section(encoding=0x2B))
write("eh_frame-indirect-pc-begin.bin", section(encoding=0x9B))
write("eh_frame-cie-advances-location.bin", section(rules=CIE_RULES + bytes([0x41])))
write("eh_frame-unknown-cfa-opcode.bin", section(bytes([0x25])))
write("eh_frame-remember-state-100-deep.bin", section(bytes([0x0A] * 100)))
write("eh_frame-restore-state-without-remember.bin", section(bytes([0x0B])))
write("eh_frame-endless-leb128.bin", section(bytes([0x0E]) + bytes([0x80] * 11) + bytes([0x01])))
write("eh_frame-expression-past-end.bin", section(bytes([0x0F, 0xFF, 0x7F, 0x77])))
# DW_CFA_set_loc (pc-relative, 4 bytes) to 0x100 below the function's start.
write("eh_frame-set-loc-backwards.bin", section(bytes([0x01]) + struct.pack("<i", -0x2000)))
write("eh_frame-fde-points-at-itself.bin", head + fde(len(head), len(head), b"") + bytes(4))
write("eh_frame-cie-pointer-before-section.bin", head + fde(len(head), -0x1000, b"") + bytes(4))
write("eh_frame-fde-wraps-address-space.bin",
      cie(encoding=0x04) + fde(len(cie(encoding=0x04)), 0, b"", pc_begin=-0x100, pc_range=0x1000, encoding=0x04)
      + bytes(4))
