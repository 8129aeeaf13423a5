/**
 * Both ends of nodescope's event file (proto/nodescope/v1): --record writes decoded events, --replay feeds them through the pipeline without BPF.
 */
package io.nodescope.record;
