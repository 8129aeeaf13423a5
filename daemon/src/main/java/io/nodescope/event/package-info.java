/**
 * Immutable event records that cross stage boundaries.
 */
package io.nodescope.event;
