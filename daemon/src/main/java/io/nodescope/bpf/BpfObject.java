package io.nodescope.bpf;

import me.bechberger.ebpf.bpf.raw.Lib;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One compiled BPF object (bpf/&lt;name&gt;.bpf.o) through its libbpf lifecycle: open, choose which
 * programs load, load (CO-RE relocation and verification), attach, read maps, close.
 * Not thread-safe: owned by the thread that sets the probes up.
 */
public final class BpfObject implements AutoCloseable {
    private final String name;
    /** Owns the ELF bytes (libbpf points into them until close) and the C strings handed to libbpf. */
    private final Arena arena;
    private final MemorySegment object;
    private final List<MemorySegment> links = new ArrayList<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(String name, Arena arena, MemorySegment object) {
        this.name = name;
        this.arena = arena;
        this.object = object;
    }

    /** Opens an object embedded in the jar under bpf/ (see daemon/pom.xml). */
    public static BpfObject openEmbedded(String objectFileName) throws BpfSetupException {
        String resource = "/bpf/" + objectFileName;
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfSetupException(resource + " is not in the jar: build with 'make build', which compiles bpf/");
            }
            return open(objectFileName, in.readAllBytes());
        } catch (IOException e) {
            throw new BpfSetupException("cannot read " + resource + " from the jar: " + e.getMessage(), e);
        }
    }

    /** Opens an object file on disk (benchmarks, tests of freshly built objects). */
    public static BpfObject openFile(Path objectFile) throws BpfSetupException {
        try {
            return open(objectFile.getFileName().toString(), Files.readAllBytes(objectFile));
        } catch (IOException e) {
            throw new BpfSetupException("cannot read BPF object " + objectFile + ": " + e.getMessage(), e);
        }
    }

    private static BpfObject open(String name, byte[] elf) throws BpfSetupException {
        Libbpf.ensureLoaded();
        Arena arena = Arena.ofShared();
        MemorySegment buffer = arena.allocate(elf.length, 8);
        MemorySegment.copy(elf, 0, buffer, ValueLayout.JAVA_BYTE, 0, elf.length);
        MemorySegment object = Lib.bpf_object__open_mem(buffer, elf.length, MemorySegment.NULL);
        long error = Lib.libbpf_get_error(object);
        if (object.equals(MemorySegment.NULL) || error != 0) {
            arena.close();
            throw new BpfSetupException("cannot open BPF object " + name + ": " + Libbpf.strerror((int) error));
        }
        return new BpfObject(name, arena, object);
    }

    public String name() {
        return name;
    }

    /** Loads only the named programs (the rest stay unloaded and unverified). Before {@link #load()}. */
    public void selectPrograms(Set<String> programNames) throws BpfSetupException {
        requireState(false);
        List<String> found = new ArrayList<>();
        MemorySegment program = MemorySegment.NULL;
        while (!(program = Lib.bpf_object__next_program(object, program)).equals(MemorySegment.NULL)) {
            String programName = cString(Lib.bpf_program__name(program));
            found.add(programName);
            Lib.bpf_program__set_autoload(program, programNames.contains(programName));
        }
        if (!found.containsAll(programNames)) {
            throw new BpfSetupException(name + " has no program(s) " + programNames + "; it has " + found);
        }
    }

    /** CO-RE relocation, map creation and verification of the selected programs. */
    public void load() throws BpfSetupException {
        requireState(false);
        int result = Lib.bpf_object__load(object);
        if (result != 0) {
            throw new BpfSetupException(loadFailureMessage(result));
        }
        loaded = true;
    }

    private String loadFailureMessage(int result) {
        String cause = Libbpf.strerror(result);
        if (-result == 1 /* EPERM */ || -result == 13 /* EACCES */) {
            if (underSeccompFilter()) {
                // Container runtimes' default profiles allow bpf() only with CAP_SYS_ADMIN.
                return "the kernel refused to load " + name + " (" + cause + ") under a seccomp filter: allow "
                        + "bpf and perf_event_open in the container's seccomp profile (see deploy/README.md)";
            }
            return "the kernel refused to load " + name + " (" + cause + "): run as root (sudo) or grant "
                    + "CAP_BPF and CAP_PERFMON; a lockdown or unprivileged_bpf_disabled setting can refuse it too";
        }
        if (-result == 3 /* ESRCH */) {
            // libbpf's answer when the kernel's BTF has no type a tp_btf/fentry program attaches to.
            return "cannot load " + name + ": this kernel has no tracepoint or function a program of it attaches to ("
                    + cause + "); it needs a kernel that has it";
        }
        return "cannot load " + name + ": " + cause + " (run with --log-level=debug for libbpf's verifier log)";
    }

    private static boolean underSeccompFilter() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(line -> line.startsWith("Seccomp:") && line.substring(8).trim().equals("2"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sets a {@code const volatile} global of the object's .rodata before {@link #load()}: the
     * verifier then sees it as a constant, so a threshold or filter costs nothing at run time and
     * disabled branches are pruned. Integer variables of 1, 2, 4 or 8 bytes.
     */
    public void setReadOnlyGlobal(String variable, long value) throws BpfSetupException {
        requireState(false);
        MemorySegment rodata = Lib.bpf_object__find_map_by_name(object, arena.allocateFrom(".rodata"));
        if (rodata.equals(MemorySegment.NULL)) {
            throw new BpfSetupException(name + " has no .rodata: no const volatile global " + variable);
        }
        ReadOnlyGlobal global = readOnlyGlobal(variable);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(ValueLayout.JAVA_LONG);
            MemorySegment data = Lib.bpf_map__initial_value(rodata, size);
            long dataSize = size.get(ValueLayout.JAVA_LONG, 0);
            if (data.equals(MemorySegment.NULL) || global.offset() + global.size() > dataSize) {
                throw new BpfSetupException(name + ": .rodata of " + dataSize + " bytes has no room for " + variable);
            }
            MemorySegment slot = data.reinterpret(dataSize).asSlice(global.offset(), global.size());
            switch (global.size()) {
                case 1 -> slot.set(ValueLayout.JAVA_BYTE, 0, (byte) value);
                case 2 -> slot.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) value);
                case 4 -> slot.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) value);
                case 8 -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
                default -> throw new BpfSetupException(name + ": " + variable + " is " + global.size()
                        + " bytes, not an integer");
            }
        }
    }

    private record ReadOnlyGlobal(long offset, int size) {}

    /**
     * Where a variable lies in .rodata, from the object's BTF: the DATASEC ".rodata" lists each
     * variable's type id, offset and size (struct btf_var_secinfo, after struct btf_type).
     */
    private ReadOnlyGlobal readOnlyGlobal(String variable) throws BpfSetupException {
        MemorySegment btf = Lib.bpf_object__btf(object);
        if (btf.equals(MemorySegment.NULL)) {
            throw new BpfSetupException(name + " has no BTF: cannot find " + variable);
        }
        int datasec = Lib.btf__find_by_name_kind(btf, arena.allocateFrom(".rodata"), BTF_KIND_DATASEC);
        if (datasec <= 0) {
            throw new BpfSetupException(name + " has no .rodata section in its BTF: no " + variable);
        }
        MemorySegment type = Lib.btf__type_by_id(btf, datasec).reinterpret(BTF_TYPE_BYTES);
        int entries = type.get(ValueLayout.JAVA_INT, 4) & 0xffff; // info: vlen in bits 0-15
        MemorySegment secinfo = type.reinterpret(BTF_TYPE_BYTES + (long) entries * BTF_VAR_SECINFO_BYTES)
                .asSlice(BTF_TYPE_BYTES);
        for (int i = 0; i < entries; i++) {
            long at = (long) i * BTF_VAR_SECINFO_BYTES;
            int varType = secinfo.get(ValueLayout.JAVA_INT, at);
            MemorySegment var = Lib.btf__type_by_id(btf, varType).reinterpret(BTF_TYPE_BYTES);
            String varName = cString(Lib.btf__name_by_offset(btf, var.get(ValueLayout.JAVA_INT, 0)));
            if (varName.equals(variable)) {
                return new ReadOnlyGlobal(Integer.toUnsignedLong(secinfo.get(ValueLayout.JAVA_INT, at + 4)),
                        secinfo.get(ValueLayout.JAVA_INT, at + 8));
            }
        }
        throw new BpfSetupException(name + " has no const volatile global " + variable);
    }

    private static final int BTF_KIND_DATASEC = 15;
    private static final long BTF_TYPE_BYTES = 12;
    private static final long BTF_VAR_SECINFO_BYTES = 12;

    /**
     * Attaches a loaded uprobe program to an instruction of an ELF file: offset is the file offset
     * (not a virtual address), pid -1 for every process that maps the file.
     */
    public void attachUprobe(String programName, Path file, long fileOffset, int pid) throws BpfSetupException {
        requireState(true);
        MemorySegment link = Lib.bpf_program__attach_uprobe(program(programName), false, pid,
                arena.allocateFrom(file.toString()), fileOffset);
        long error = Lib.libbpf_get_error(link);
        if (link.equals(MemorySegment.NULL) || error != 0) {
            throw new BpfSetupException("cannot attach " + name + ":" + programName + " to " + file + "+0x"
                    + Long.toHexString(fileOffset) + ": " + Libbpf.strerror((int) error));
        }
        links.add(link);
    }

    /** Attaches a loaded program by its section's convention (tracepoint, tp_btf, ...). */
    public void attach(String programName) throws BpfSetupException {
        requireState(true);
        MemorySegment program = program(programName);
        MemorySegment link = Lib.bpf_program__attach(program);
        long error = Lib.libbpf_get_error(link);
        if (link.equals(MemorySegment.NULL) || error != 0) {
            throw new BpfSetupException("cannot attach " + name + ":" + programName + ": "
                    + Libbpf.strerror((int) error));
        }
        links.add(link);
    }

    /** The fd of a loaded program (for BPF_PROG_TEST_RUN); owned by this object, closed with it. */
    public int programFd(String programName) throws BpfSetupException {
        requireState(true);
        return Lib.bpf_program__fd(program(programName));
    }

    public int mapFd(String mapName) throws BpfSetupException {
        requireState(true);
        int fd = Lib.bpf_map__fd(map(mapName));
        if (fd < 0) {
            throw new BpfSetupException(name + ": map " + mapName + " has no fd: " + Libbpf.strerror(fd));
        }
        return fd;
    }

    public int mapMaxEntries(String mapName) throws BpfSetupException {
        return Lib.bpf_map__max_entries(map(mapName));
    }

    /** Reads one u64 slot of an array map; -1 when the lookup fails (the caller reports it). */
    public long readArrayU64(String mapName, int index) throws BpfSetupException {
        requireState(true);
        MemorySegment map = map(mapName);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, index);
            MemorySegment value = call.allocate(ValueLayout.JAVA_LONG);
            int result = Lib.bpf_map__lookup_elem(map, key, key.byteSize(), value, value.byteSize(), 0);
            return result == 0 ? value.get(ValueLayout.JAVA_LONG, 0) : -1;
        }
    }

    private MemorySegment program(String programName) throws BpfSetupException {
        MemorySegment program = Lib.bpf_object__find_program_by_name(object, arena.allocateFrom(programName));
        if (program.equals(MemorySegment.NULL)) {
            throw new BpfSetupException(name + " has no program " + programName);
        }
        return program;
    }

    private MemorySegment map(String mapName) throws BpfSetupException {
        MemorySegment map = Lib.bpf_object__find_map_by_name(object, arena.allocateFrom(mapName));
        if (map.equals(MemorySegment.NULL)) {
            throw new BpfSetupException(name + " has no map " + mapName);
        }
        return map;
    }

    private void requireState(boolean mustBeLoaded) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (loaded != mustBeLoaded) {
            throw new IllegalStateException(name + (loaded ? " is already loaded" : " is not loaded yet"));
        }
    }

    private static String cString(MemorySegment pointer) {
        return Objects.equals(pointer, MemorySegment.NULL) ? "" : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Detaches every attached program; the maps stay readable until {@link #close()}. */
    public void detachAll() {
        for (MemorySegment link : links) {
            Lib.bpf_link__destroy(link);
        }
        links.clear();
    }

    /** Detaches every program (links first, so no event fires into a closing object) and frees it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        detachAll();
        Lib.bpf_object__close(object);
        arena.close();
    }
}
