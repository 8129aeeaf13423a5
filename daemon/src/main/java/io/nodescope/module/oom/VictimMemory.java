package io.nodescope.module.oom;

/** What the OOM victim held when it was chosen, as the kernel's oom:mark_victim reports it. */
public record VictimMemory(long totalVmBytes, long rssAnonBytes, long rssFileBytes, long rssShmemBytes,
                           long pageTablesBytes) {
    public long rssBytes() {
        return rssAnonBytes + rssFileBytes + rssShmemBytes;
    }
}
