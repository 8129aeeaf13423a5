package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessMapsTest {
    @Test
    void parsesFileAnonymousPseudoAndDeletedRegionsAndSkipsDamage() {
        List<MappedRegion> regions = ProcessMaps.parse("""
                55e03d769000-55e03d76a000 r-xp 00001000 fe:00 5325631                    /usr/bin/my app
                7f0000000000-7f0000100000 rwxp 00000000 00:00 0
                7ffd1a5f3000-7ffd1a5f5000 r-xp 00000000 00:00 0                          [vdso]
                7f1000000000-7f1000001000 r-xp 00002000 fe:00 77                         /tmp/libgone.so (deleted)
                not a maps line
                ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
                """);
        assertEquals(5, regions.size());
        assertEquals(new MappedRegion(0x55e03d769000L, 0x55e03d76a000L, true, 0x1000, 5325631,
                Optional.of("/usr/bin/my app"), false), regions.get(0));
        assertTrue(regions.get(0).fileBacked());
        assertFalse(regions.get(1).fileBacked());
        assertEquals(Optional.empty(), regions.get(1).path());
        assertFalse(regions.get(2).fileBacked());
        assertEquals(Optional.of("/tmp/libgone.so"), regions.get(3).path());
        assertTrue(regions.get(3).deleted());
        assertTrue(regions.get(4).contains(0xffffffffff600010L));
        assertEquals("55e03d769000-55e03d76a000", regions.get(0).mapFilesName());
    }
}
