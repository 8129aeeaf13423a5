package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.event.KernelFile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** mountinfo as the kernel writes it, and the st_dev encoding: the two halves of finding a kernel-described file. */
class KernelFileLocatorTest {
    @Test
    void mountInfoLinesGiveDeviceRootAndMountPointWithEscapesUndone() {
        List<KernelFileLocator.Mount> mounts = KernelFileLocator.parseMountInfo(List.of(
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "412 27 0:52 /var/lib/kubelet/pods /data/my\\040pods rw shared:5 - ext4 /dev/sdb1 rw",
                "not a mountinfo line",
                "98 27 x:y / /broken rw - tmpfs tmpfs rw"));

        assertEquals(List.of(new KernelFileLocator.Mount(254, 0, "/", "/"),
                new KernelFileLocator.Mount(0, 52, "/var/lib/kubelet/pods", "/data/my pods")), mounts);
    }

    @Test
    void aPathUnderTheMountedDirectoryMapsOntoTheMountPoint() {
        KernelFileLocator.Mount whole = new KernelFileLocator.Mount(8, 1, "/", "/");
        KernelFileLocator.Mount nested = new KernelFileLocator.Mount(8, 1, "/", "/var/lib/containerd");
        KernelFileLocator.Mount bind = new KernelFileLocator.Mount(8, 1, "/srv/app", "/opt/app");

        assertEquals(Optional.of("/usr/lib/libc.so.6"), KernelFileLocator.hostPath(whole, "/usr/lib/libc.so.6"));
        assertEquals(Optional.of("/var/lib/containerd/snapshots/7/fs/bin/app"),
                KernelFileLocator.hostPath(nested, "/snapshots/7/fs/bin/app"));
        assertEquals(Optional.of("/opt/app/bin/server"), KernelFileLocator.hostPath(bind, "/srv/app/bin/server"));
        assertEquals(Optional.empty(), KernelFileLocator.hostPath(bind, "/srv/application/bin/server"),
                "a sibling whose name merely starts with the mounted directory's");
    }

    @Test
    void statDevicesDecodeAsGlibcMajorAndMinorDo() {
        assertEquals(254, KernelFileLocator.deviceMajor(makedev(254, 0)));
        assertEquals(0, KernelFileLocator.deviceMinor(makedev(254, 0)));
        assertEquals(259, KernelFileLocator.deviceMajor(makedev(259, 300)));
        assertEquals(300, KernelFileLocator.deviceMinor(makedev(259, 300)));
        assertEquals(4097, KernelFileLocator.deviceMajor(makedev(4097, 1 << 19)));
        assertEquals(1 << 19, KernelFileLocator.deviceMinor(makedev(4097, 1 << 19)));
    }

    @Test
    void theKernelsDevTKeepsTwentyBitsOfMinor() {
        KernelFile file = KernelFile.ofKernelDevice((259L << 20) | 300, 12, List.of("usr", "bin", "app"), false);

        assertEquals(259, file.deviceMajor());
        assertEquals(300, file.deviceMinor());
        assertEquals(Optional.of("/usr/bin/app"), file.pathInFilesystem());
        assertEquals(Optional.empty(), new KernelFile(1, 2, 3, List.of("deep"), true).pathInFilesystem());
    }

    /** glibc's makedev(3). */
    private static long makedev(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
