package io.nodescope.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs a memory cgroup controller it can create children in (v2 or v1, see
 * {@link MemoryHierarchy#find}); skipped without one, failed without one when CI=true.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Privileged.class)
public @interface RequiresMemoryCgroup {
    /** Why the controller is needed, for the skip or failure message. */
    String value();
}
