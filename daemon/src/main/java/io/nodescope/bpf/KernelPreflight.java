package io.nodescope.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before any BPF call, what would otherwise surface as a bare EPERM or ENOENT from the
 * kernel, so the user gets the cause and the fix in one line.
 */
public final class KernelPreflight {
    // Capability bit numbers from linux/capability.h.
    private static final int CAP_DAC_READ_SEARCH = 2;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_SYS_PTRACE = 19;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private final Path procStatus;
    private final Path vmlinuxBtf;

    KernelPreflight(Path procStatus, Path vmlinuxBtf) {
        this.procStatus = procStatus;
        this.vmlinuxBtf = vmlinuxBtf;
    }

    public static KernelPreflight forThisProcess() {
        return new KernelPreflight(Path.of("/proc/self/status"), Path.of("/sys/kernel/btf/vmlinux"));
    }

    /** Throws with a one-line message when the kernel side cannot work. */
    public void check() throws BpfSetupException {
        long effective = effectiveCapabilities();
        // CAP_SYS_ADMIN implies what CAP_BPF and CAP_PERFMON split out of it in 5.8.
        boolean canLoadTracing = has(effective, CAP_SYS_ADMIN)
                || (has(effective, CAP_BPF) && has(effective, CAP_PERFMON));
        if (!canLoadTracing) {
            throw new BpfSetupException("missing privileges to load BPF tracing programs: run as root (sudo) or grant "
                    + "CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH");
        }
        // CAP_SYS_ADMIN does not stand in for these: /proc/<pid>/exe, maps and root of another
        // user's process need ptrace read access, and files inside containers DAC_READ_SEARCH.
        List<String> missing = new ArrayList<>();
        if (!has(effective, CAP_SYS_PTRACE)) {
            missing.add("CAP_SYS_PTRACE");
        }
        if (!has(effective, CAP_DAC_READ_SEARCH)) {
            missing.add("CAP_DAC_READ_SEARCH");
        }
        if (!missing.isEmpty()) {
            throw new BpfSetupException("missing " + String.join(", ", missing)
                    + ": needed to read other processes' /proc entries; grant them or run as root (sudo)");
        }
        if (!Files.isReadable(vmlinuxBtf)) {
            throw new BpfSetupException(vmlinuxBtf + " is missing: nodescope needs a kernel built with "
                    + "CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.8)");
        }
    }

    private long effectiveCapabilities() throws BpfSetupException {
        try {
            for (String line : Files.readAllLines(procStatus)) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new BpfSetupException("cannot read capabilities from " + procStatus + ": " + e.getMessage(), e);
        }
        throw new BpfSetupException("no CapEff line in " + procStatus + ": is /proc mounted?");
    }

    private static boolean has(long capabilities, int bit) {
        return (capabilities & (1L << bit)) != 0;
    }
}
