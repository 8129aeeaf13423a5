package io.nodescope.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test runs programs from PATH (go, gcc, addr2line...); skipped when one is missing, failed
 * instead when CI=true. See {@link Toolchain}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Toolchain.class)
public @interface RequiresTools {
    /** Command names looked up on PATH. */
    String[] value();

    /** How to install them, for the skip or failure message. */
    String install();
}
