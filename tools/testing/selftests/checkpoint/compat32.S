/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 32-bit program that pauses forever, through int $0x80: a compat
 * (ia32) process for external.c's refuse_compat_process.  No libc, so
 * it builds without 32-bit libraries.
 */
	.text
	.globl _start
_start:
	movl	$29, %eax	/* __NR_pause of the i386 table */
	int	$0x80
	jmp	_start
