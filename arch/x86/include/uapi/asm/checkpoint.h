/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cr: the x86_64 part of the checkpoint image format.
 *
 * Included by <linux/checkpoint.h>, as <linux/kvm.h> includes <asm/kvm.h>:
 * every architecture that supports cr defines here the records whose
 * layout is its own (struct cr_rec_arch, struct cr_rec_cpu and struct
 * cr_rec_fpu) and the values of its ABI an image may carry.
 */
#ifndef _UAPI_ASM_X86_CHECKPOINT_H
#define _UAPI_ASM_X86_CHECKPOINT_H

#include <linux/types.h>

/* System call numbers (also in asm/unistd_64.h). */
#define CR_NR_CHECKPOINT_X86_64	463
#define CR_NR_RESTART_X86_64	464

/* The value of the head's arch field for this architecture. */
#define CR_ARCH_THIS		CR_ARCH_X86_64

/*
 * XSAVE state components a struct cr_rec_arch describes: bit n of an
 * XSAVE feature mask is component n.
 */
#define CR_X86_XFEATURES	64

/**
 * struct cr_x86_xstate_comp - where one XSAVE state component lies
 * @offset: its offset in the standard (non-compacted) XSAVE area
 * @size: its size in bytes
 */
struct cr_x86_xstate_comp {
	__u32 offset;
	__u32 size;
};

/**
 * struct cr_rec_arch - the machine an image was taken on (CR_REC_ARCH)
 * @xstate_size: size of the XSAVE area in fpu records (standard format,
 *	non-compacted)
 * @__reserved: zero
 * @xfeatures: XSAVE features fpu records may use; restart refuses an image
 *	with features the CPU lacks
 * @comp: for each component n >= 2 in @xfeatures, where it lies in the
 *	XSAVE area (CPUID leaf 0xd, sub-leaf n); zero for the others.  The
 *	layout differs between CPU models: restart moves each component to
 *	where this CPU has it, and refuses a component of another size.
 */
struct cr_rec_arch {
	__u32 xstate_size;
	__u32 __reserved;
	__u64 xfeatures;
	struct cr_x86_xstate_comp comp[CR_X86_XFEATURES];
};

/*
 * enum cr_x86_seg: a segment selector, symbolically.  The numeric values
 * of selectors differ between kernels and modes; these do not.  Selectors
 * into the LDT and 32-bit compat code segments are refused.
 */
#define CR_SEG_ZERO		0	/* null selector */
#define CR_SEG_USER_CS		1	/* 64-bit user code */
#define CR_SEG_USER_DS		2	/* user data */
#define CR_SEG_TLS0		3	/* first of the three GDT TLS entries */
#define CR_SEG_TLS1		4
#define CR_SEG_TLS2		5
#define CR_SEG_MAX		CR_SEG_TLS2

/* Flags of a TLS descriptor, as the fields of struct user_desc. */
#define CR_TLS_SEG_32BIT	(1U << 0)
#define CR_TLS_CONTENTS_SHIFT	1	/* two bits */
#define CR_TLS_READ_EXEC_ONLY	(1U << 3)
#define CR_TLS_LIMIT_IN_PAGES	(1U << 4)
#define CR_TLS_SEG_NOT_PRESENT	(1U << 5)
#define CR_TLS_USEABLE		(1U << 6)
#define CR_TLS_LM		(1U << 7)
#define CR_TLS_EMPTY		(1U << 31)	/* an unused entry */

/**
 * struct cr_x86_tls - one GDT TLS entry (set_thread_area(2))
 * @base:	segment base
 * @limit:	segment limit
 * @flags:	CR_TLS_* flags
 * @__reserved:	zero
 */
struct cr_x86_tls {
	__u32 base;
	__u32 limit;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct cr_rec_cpu - x86_64 user registers (CR_REC_CPU)
 * @r15: general registers, in the order of struct user_regs_struct
 * @r14: see @r15
 * @r13: see @r15
 * @r12: see @r15
 * @bp: see @r15
 * @bx: see @r15
 * @r11: see @r15
 * @r10: see @r15
 * @r9: see @r15
 * @r8: see @r15
 * @ax: the value the interrupted system call returns; for a task stopped
 *	inside a system call, the kernel's -ERESTART* code (512..516), which
 *	restart hands to the signal code as the kernel would after SIGCONT:
 *	the call is restarted, or fails with EINTR if a handler runs
 * @cx: see @r15
 * @dx: see @r15
 * @si: see @r15
 * @di: see @r15
 * @orig_ax: with an -ERESTART* code in @ax, the number of the interrupted
 *	system call (@ip is just after its syscall instruction); -1 otherwise
 * @ip: instruction pointer
 * @flags: rflags; restart keeps only the user-controllable bits
 * @sp: stack pointer
 * @fs_base: fs base address
 * @gs_base: gs base address (user)
 * @cs: CR_SEG_* selectors
 * @ss: see @cs
 * @ds: see @cs
 * @es: see @cs
 * @fs: see @cs
 * @gs: see @cs
 * @__reserved: zero
 * @tls: the three GDT TLS entries
 */
struct cr_rec_cpu {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di;
	__u64 orig_ax;
	__u64 ip, flags, sp;
	__u64 fs_base, gs_base;
	__u16 cs, ss, ds, es, fs, gs;
	__u32 __reserved;
	struct cr_x86_tls tls[3];
};

/**
 * struct cr_rec_fpu - FPU and vector state (CR_REC_FPU)
 * @size:	bytes of XSAVE area following this struct; equals the arch
 *		record's xstate_size
 * @__reserved:	zero
 *
 * The XSAVE area is in the standard (non-compacted) format, as ptrace's
 * NT_X86_XSTATE regset has it, laid out as the arch record says.
 */
struct cr_rec_fpu {
	__u32 size;
	__u32 __reserved;
};

/* The largest FPU state (XSAVE area) an fpu record may carry. */
#define CR_FPU_STATE_MAX	(1U << 16)

/*
 * The x86_64 values of the Linux ABI that image records carry, and the
 * sets of them restart accepts.  The kernel checks them against its own
 * definitions at build time.
 */

/* Open flags (fcntl.h): the ones a file record may carry. */
#define CR_O_ACCMODE		00000003U
#define CR_O_RDWR		00000002U
#define CR_O_APPEND		00002000U
#define CR_O_NONBLOCK		00004000U
#define CR_O_DSYNC		00010000U
#define CR_O_DIRECT		00040000U
#define CR_O_LARGEFILE		00100000U
#define CR_O_DIRECTORY		00200000U
#define CR_O_NOFOLLOW		00400000U
#define CR_O_NOATIME		01000000U
#define CR_O_SYNC		04000000U	/* __O_SYNC */
#define CR_O_PATH		010000000U
#define CR_FILE_FLAGS		(CR_O_ACCMODE | CR_O_APPEND | CR_O_NONBLOCK | CR_O_DSYNC | \
				 CR_O_DIRECT | CR_O_LARGEFILE | CR_O_DIRECTORY | \
				 CR_O_NOFOLLOW | CR_O_NOATIME | CR_O_SYNC | CR_O_PATH)

/* sigaction flags (signal.h): the ones a struct cr_sigaction may carry. */
#define CR_SA_NOCLDSTOP		0x00000001ULL
#define CR_SA_NOCLDWAIT		0x00000002ULL
#define CR_SA_SIGINFO		0x00000004ULL
#define CR_SA_EXPOSE_TAGBITS	0x00000800ULL
#define CR_SA_RESTORER		0x04000000ULL
#define CR_SA_ONSTACK		0x08000000ULL
#define CR_SA_RESTART		0x10000000ULL
#define CR_SA_NODEFER		0x40000000ULL
#define CR_SA_RESETHAND		0x80000000ULL
#define CR_SA_FLAGS		(CR_SA_NOCLDSTOP | CR_SA_NOCLDWAIT | CR_SA_SIGINFO | \
				 CR_SA_ONSTACK | CR_SA_RESTART | CR_SA_NODEFER | \
				 CR_SA_RESETHAND | CR_SA_EXPOSE_TAGBITS | CR_SA_RESTORER)

/* Signal numbers, sigaltstack flags and the smallest alternate stack. */
#define CR_SIGKILL		9
#define CR_SIGSTOP		19
#define CR_SS_ONSTACK		1U
#define CR_SS_DISABLE		2U
#define CR_SS_AUTODISARM	(1U << 31)
#define CR_MINSIGSTKSZ		2048

#endif /* _UAPI_ASM_X86_CHECKPOINT_H */
