package io.nodescope.symbol;

import io.nodescope.testing.RequiresTools;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The test uses {@link SymbolTestBinaries}, which build-test-binaries.sh makes with these tools. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@RequiresTools(value = {"gcc", "strip", "objcopy", "nm", "readelf", "xz", "addr2line"},
        install = "apt-get install gcc binutils xz-utils")
@interface RequiresTestBinaries {}
