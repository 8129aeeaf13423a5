package io.nodescope.ringbuf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls a mapped ring needs, bound once through JNA direct mapping. */
final class Libc {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x1;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLLIN = 0x1;
    static final int EPOLLET = 1 << 31;
    static final int EINTR = 4;

    /**
     * {@code struct epoll_event {u32 events; u64 data;}} is declared __attribute__((packed)) on
     * x86 only (glibc's __EPOLL_PACKED, kept for the i386 ABI): 12 bytes. Everywhere else
     * (aarch64, ...) the u64 is naturally aligned: 16 bytes.
     */
    static final int EPOLL_EVENT_SIZE = Platform.isIntel() ? 12 : 16;

    private Libc() {}

    static native Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset)
            throws LastErrorException;

    static native int munmap(Pointer address, long length) throws LastErrorException;

    static native int getpagesize();

    static native int epoll_create1(int flags) throws LastErrorException;

    static native int epoll_ctl(int epollFd, int operation, int fd, Pointer event) throws LastErrorException;

    static native int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}
