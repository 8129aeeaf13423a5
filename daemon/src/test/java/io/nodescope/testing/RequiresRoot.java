package io.nodescope.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test needs root; skipped without it, failed without it when CI=true. See {@link Privileged}. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Privileged.class)
public @interface RequiresRoot {
    /** Why root is needed, for the skip or failure message. */
    String value();
}
