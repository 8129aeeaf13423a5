// SPDX-License-Identifier: GPL-2.0
/* user_stack_writer.bpf.c with a 32 KiB stack copy: the size bounds of bpf/include/user_stack.h. */
#define NS_USER_STACK_BYTES (32 * 1024)
#include "user_stack_writer.bpf.c"
