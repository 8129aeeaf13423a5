# Run by gdb (-x) on a stopped process: for every thread, what nodescope's BPF snapshot would hold
# (rip, rsp, rbp, rbx, r12-r15 and up to 16 KiB of stack from rsp, read page by page) and gdb's own
# backtrace of the same state, the ground truth. Written as lines to $NODESCOPE_GDB_CAPTURE.
import os
import gdb

REGISTERS = ["rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15"]
STACK_BYTES = 16384
PAGE = 4096
MASK = (1 << 64) - 1
# Frames gdb makes up rather than finds on the stack: inlined calls and DWARF call-site tail calls.
VIRTUAL_FRAMES = (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME)


def stack_bytes(inferior, rsp):
    data = bytearray()
    address = rsp
    end = rsp + STACK_BYTES
    while address < end:
        length = min(end - address, PAGE - address % PAGE)
        try:
            data += bytes(inferior.read_memory(address, length))
        except gdb.MemoryError:
            break
        address += length
    return data.hex()


with open(os.environ["NODESCOPE_GDB_CAPTURE"], "w") as out:
    inferior = gdb.selected_inferior()
    for thread in sorted(inferior.threads(), key=lambda t: t.ptid[1]):
        thread.switch()
        frame = gdb.newest_frame()
        out.write("thread %d\n" % thread.ptid[1])
        for register in REGISTERS:
            out.write("register %s %x\n" % (register, int(frame.read_register(register)) & MASK))
        out.write("stack %s\n" % stack_bytes(inferior, int(frame.read_register("rsp")) & MASK))
        last = frame
        while frame is not None:
            if frame.type() not in VIRTUAL_FRAMES:
                out.write("frame %x %s\n" % (frame.pc(), frame.name() or "??"))
            last = frame
            frame = frame.older()
        out.write("stopped %s\n" % gdb.frame_stop_reason_string(last.unwind_stop_reason()))
