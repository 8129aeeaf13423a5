/* SPDX-License-Identifier: GPL-2.0 */
/* The process exit module's record. Decoded by io.nodescope.module.exit.ProcessExitFormat; a
 * layout test checks its offsets against this object's BTF. */
#ifndef NODESCOPE_EXIT_H
#define NODESCOPE_EXIT_H

#include "include/nodescope.h"

#define NS_PROCESS_EXIT_VERSION 1

/* ns_process_exit_event.flags */
#define NS_EXIT_F_OOM_VICTIM     (1u << 0) /* the process was marked as an OOM victim */
#define NS_EXIT_F_SIGNALED       (1u << 1) /* killed by a signal (exit_code & 0x7f) */

struct ns_process_exit_event {
	struct ns_event_header hdr;
	struct ns_task task;         /* the thread that ended the thread group */
	__u32 exit_code;             /* wait(2) status: exit status << 8 | terminating signal */
	__u32 flags;                 /* NS_EXIT_F_* */
};

#endif
