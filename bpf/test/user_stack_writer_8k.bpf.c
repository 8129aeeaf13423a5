// SPDX-License-Identifier: GPL-2.0
/* user_stack_writer.bpf.c with a 8 KiB stack copy: the size bounds of bpf/include/user_stack.h. */
#define NS_USER_STACK_BYTES (8 * 1024)
#include "user_stack_writer.bpf.c"
