// SPDX-License-Identifier: GPL-2.0
/*
 * crinspect - check and decode a cr checkpoint image.
 *
 *   crinspect [-j|--json] [-p|--pages] [-q|--quiet] [-h|--help] [FILE|-]
 *
 * Reads the image from FILE or standard input strictly in order (a pipe
 * will do: it never seeks), checks every record as restart(2) would check
 * its format, and prints each record as it goes: one "@OFFSET TYPE len=N"
 * line and its decoded fields, or with --json one JSON document.
 *
 * The checks are those of checkpoint/restart.c and the record readers it
 * calls, where they are about the image itself.  What depends on the
 * machine that restarts (its CPU's XSAVE features and sizes, its vDSO,
 * sysctls and rlimits, the files named by paths) is not checked.
 *
 * Exit status: 0 for a valid image, 1 for an invalid one (the first
 * problem is reported on standard error as "crinspect: offset N: reason",
 * N the stream offset of the record at fault), 2 for a usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <asm/auxvec.h>
#include <linux/auxvec.h>
#include <linux/checkpoint.h>
#include <linux/futex.h>
#include <linux/rseq.h>

#define CRI_OK		0
#define CRI_INVALID	1	/* exit status: the image is not valid */
#define CRI_ERROR	2	/* exit status: usage or I/O error */
#define CRI_MORE	-1	/* record read: go on */

/*
 * The x86_64 ABI values the checks need that the image format header does
 * not define.  Those of the kernel's own headers cannot be included next
 * to the C library's (struct flock, sigset_t...), and glibc's O_LARGEFILE
 * is 0 on x86_64 while the kernel's f_flags carry its real value.
 */
#define CRI_PAGE_SIZE		4096ULL		/* x86_64 */
/*
 * The top of user space, TASK_SIZE_MAX: (1 << 47) - PAGE_SIZE with 4-level
 * page tables, (1 << 56) - PAGE_SIZE with 5-level ones.  An image from a
 * 5-level machine may use the larger space: the larger bound is checked.
 */
#define CRI_TASK_SIZE		((1ULL << 56) - CRI_PAGE_SIZE)
#define CRI_MAX_LFS_PAGES	(0x7fffffffffffffffULL / CRI_PAGE_SIZE)
#define CRI_FXSAVE_SIZE		512	/* legacy area, then the XSAVE header */
#define CRI_XSAVE_HDR_SIZE	64
#define CRI_MXCSR_OFFSET	24
#define CRI_RSEQ_MIN_LEN	32	/* the original struct rseq */
#define CRI_MINSIGSTKSZ		2048
#define CRI_KTIME_MAX		0x7fffffffffffffffULL
#define CRI_ERESTARTSYS		512	/* the kernel's -ERESTART* codes */
#define CRI_ERESTARTNOINTR	513
#define CRI_ERESTARTNOHAND	514
#define CRI_ERESTART_RESTARTBLOCK 516
#define CRI_X32_SYSCALL_BIT	0x40000000ULL	/* x86_64 system call numbers are below */

#define CRI_O_ACCMODE		00000003U
#define CRI_O_CREAT		00000100U
#define CRI_O_EXCL		00000200U
#define CRI_O_NOCTTY		00000400U
#define CRI_O_TRUNC		00001000U
#define CRI_O_APPEND		00002000U
#define CRI_O_NONBLOCK		00004000U
#define CRI_O_DSYNC		00010000U
#define CRI_FASYNC		00020000U
#define CRI_O_DIRECT		00040000U
#define CRI_O_LARGEFILE		00100000U
#define CRI_O_DIRECTORY		00200000U
#define CRI_O_NOFOLLOW		00400000U
#define CRI_O_NOATIME		01000000U
#define CRI_O_CLOEXEC		02000000U
#define CRI_O_SYNC		04000000U	/* __O_SYNC */
#define CRI_O_PATH		010000000U
#define CRI_O_TMPFILE		020000000U	/* __O_TMPFILE */
/* what a file record may carry (CR_FILE_FLAGS in checkpoint/files.c) */
#define CRI_FILE_FLAGS		(CRI_O_ACCMODE | CRI_O_APPEND | CRI_O_NONBLOCK | CRI_O_DSYNC | \
				 CRI_O_DIRECT | CRI_O_LARGEFILE | CRI_O_DIRECTORY | \
				 CRI_O_NOFOLLOW | CRI_O_NOATIME | CRI_O_SYNC | CRI_O_PATH)

#define CRI_SA_NOCLDSTOP	0x00000001ULL
#define CRI_SA_NOCLDWAIT	0x00000002ULL
#define CRI_SA_SIGINFO		0x00000004ULL
#define CRI_SA_UNSUPPORTED	0x00000400ULL
#define CRI_SA_EXPOSE_TAGBITS	0x00000800ULL
#define CRI_SA_RESTORER		0x04000000ULL
#define CRI_SA_ONSTACK		0x08000000ULL
#define CRI_SA_RESTART		0x10000000ULL
#define CRI_SA_NODEFER		0x40000000ULL
#define CRI_SA_RESETHAND	0x80000000ULL
/* UAPI_SA_FLAGS of include/linux/signal_types.h on x86 */
#define CRI_SA_FLAGS		(CRI_SA_NOCLDSTOP | CRI_SA_NOCLDWAIT | CRI_SA_SIGINFO | \
				 CRI_SA_ONSTACK | CRI_SA_RESTART | CRI_SA_NODEFER | \
				 CRI_SA_RESETHAND | CRI_SA_EXPOSE_TAGBITS | CRI_SA_RESTORER)
#define CRI_SS_ONSTACK		1U
#define CRI_SS_DISABLE		2U
#define CRI_SS_AUTODISARM	0x80000000U

/* personality bits a restarted task may carry (checkpoint/task.c) */
#define CRI_PERSONALITY_OK	((__u32)(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | \
					 ADDR_COMPAT_LAYOUT | UNAME26))

/* vma kinds whose pages are saved, and the file kinds (checkpoint/memory.c) */
#define CRI_BIT(n)		(1U << (n))
#define CRI_VMA_CONTENT		(CRI_BIT(CR_VMA_ANON_PRIVATE) | CRI_BIT(CR_VMA_ANON_SHARED) | \
				 CRI_BIT(CR_VMA_FILE_PRIVATE) | CRI_BIT(CR_VMA_STACK) | \
				 CRI_BIT(CR_VMA_HEAP))
#define CRI_VMA_FILE		(CRI_BIT(CR_VMA_FILE_PRIVATE) | CRI_BIT(CR_VMA_FILE_SHARED))
#define CRI_VMA_F_ALL		(CR_VMA_F_GROWSDOWN | CR_VMA_F_DONTFORK | CR_VMA_F_DONTDUMP | \
				 CR_VMA_F_NORESERVE | CR_VMA_F_MAYWRITE)

#define CRI_ALIGN(x)		(((x) + CR_ALIGN - 1) & ~(__u64)(CR_ALIGN - 1))

/* ------------------------------------------------------------------------ */
/* names                                                                    */
/* ------------------------------------------------------------------------ */

struct cri_name {
	__u64 val;
	const char *name;
};

static const struct cri_name cri_vma_kinds[] = {
	{ CR_VMA_ANON_PRIVATE, "anon_private" },
	{ CR_VMA_ANON_SHARED, "anon_shared" },
	{ CR_VMA_FILE_PRIVATE, "file_private" },
	{ CR_VMA_FILE_SHARED, "file_shared" },
	{ CR_VMA_STACK, "stack" },
	{ CR_VMA_HEAP, "heap" },
	{ CR_VMA_VDSO, "vdso" },
	{ CR_VMA_VVAR, "vvar" },
	{ }
};

static const struct cri_name cri_restart_fns[] = {
	{ CR_RESTART_FN_NONE, "none" },
	{ CR_RESTART_FN_NANOSLEEP, "nanosleep" },
	{ }
};

static const struct cri_name cri_clocks[] = {
	{ CLOCK_REALTIME, "realtime" },
	{ CLOCK_MONOTONIC, "monotonic" },
	{ CLOCK_BOOTTIME, "boottime" },
	{ CLOCK_TAI, "tai" },
	{ }
};

static const struct cri_name cri_vma_flags[] = {
	{ CR_VMA_F_GROWSDOWN, "growsdown" },
	{ CR_VMA_F_LOCKED, "locked" },
	{ CR_VMA_F_DONTFORK, "dontfork" },
	{ CR_VMA_F_DONTDUMP, "dontdump" },
	{ CR_VMA_F_NORESERVE, "noreserve" },
	{ CR_VMA_F_MAYWRITE, "maywrite" },
	{ }
};

static const struct cri_name cri_file_kinds[] = {
	{ CR_FILE_REG, "reg" },
	{ CR_FILE_DIR, "dir" },
	{ CR_FILE_CHR, "chr" },
	{ CR_FILE_INHERIT, "inherit" },
	{ CR_FILE_PIPE, "pipe" },
	{ CR_FILE_FIFO, "fifo" },
	{ }
};

static const struct cri_name cri_pipe_flags[] = {
	{ CR_PIPE_FIFO, "fifo" },
	{ }
};

static const struct cri_name cri_open_flags[] = {
	{ CRI_O_CREAT, "creat" },
	{ CRI_O_EXCL, "excl" },
	{ CRI_O_NOCTTY, "noctty" },
	{ CRI_O_TRUNC, "trunc" },
	{ CRI_O_APPEND, "append" },
	{ CRI_O_NONBLOCK, "nonblock" },
	{ CRI_O_DSYNC, "dsync" },
	{ CRI_FASYNC, "async" },
	{ CRI_O_DIRECT, "direct" },
	{ CRI_O_LARGEFILE, "largefile" },
	{ CRI_O_DIRECTORY, "directory" },
	{ CRI_O_NOFOLLOW, "nofollow" },
	{ CRI_O_NOATIME, "noatime" },
	{ CRI_O_CLOEXEC, "cloexec" },
	{ CRI_O_SYNC, "sync" },
	{ CRI_O_PATH, "path" },
	{ CRI_O_TMPFILE, "tmpfile" },
	{ }
};

static const struct cri_name cri_fd_flags[] = {
	{ CR_FD_CLOEXEC, "cloexec" },
	{ }
};

static const struct cri_name cri_segs[] = {
	{ CR_SEG_ZERO, "null" },
	{ CR_SEG_USER_CS, "user_cs" },
	{ CR_SEG_USER_DS, "user_ds" },
	{ CR_SEG_TLS0, "tls0" },
	{ CR_SEG_TLS1, "tls1" },
	{ CR_SEG_TLS2, "tls2" },
	{ }
};

static const struct cri_name cri_tls_flags[] = {
	{ CR_TLS_SEG_32BIT, "seg_32bit" },
	{ 1U << CR_TLS_CONTENTS_SHIFT, "contents1" },
	{ 2U << CR_TLS_CONTENTS_SHIFT, "contents2" },
	{ CR_TLS_READ_EXEC_ONLY, "read_exec_only" },
	{ CR_TLS_LIMIT_IN_PAGES, "limit_in_pages" },
	{ CR_TLS_SEG_NOT_PRESENT, "seg_not_present" },
	{ CR_TLS_USEABLE, "useable" },
	{ CR_TLS_LM, "lm" },
	{ CR_TLS_EMPTY, "empty" },
	{ }
};

/* XSAVE state components (the SDM's numbering) */
static const struct cri_name cri_xfeatures[] = {
	{ 1ULL << 0, "x87" },
	{ 1ULL << 1, "sse" },
	{ 1ULL << 2, "avx" },
	{ 1ULL << 3, "mpx_bndregs" },
	{ 1ULL << 4, "mpx_bndcsr" },
	{ 1ULL << 5, "avx512_opmask" },
	{ 1ULL << 6, "avx512_zmm_hi256" },
	{ 1ULL << 7, "avx512_hi16_zmm" },
	{ 1ULL << 8, "pt" },
	{ 1ULL << 9, "pkru" },
	{ 1ULL << 10, "pasid" },
	{ 1ULL << 11, "cet_user" },
	{ 1ULL << 12, "cet_supervisor" },
	{ 1ULL << 17, "amx_tilecfg" },
	{ 1ULL << 18, "amx_tiledata" },
	{ 1ULL << 19, "apx" },
	{ }
};

static const struct cri_name cri_sa_flags[] = {
	{ CRI_SA_NOCLDSTOP, "nocldstop" },
	{ CRI_SA_NOCLDWAIT, "nocldwait" },
	{ CRI_SA_SIGINFO, "siginfo" },
	{ CRI_SA_UNSUPPORTED, "unsupported" },
	{ CRI_SA_EXPOSE_TAGBITS, "expose_tagbits" },
	{ CRI_SA_RESTORER, "restorer" },
	{ CRI_SA_ONSTACK, "onstack" },
	{ CRI_SA_RESTART, "restart" },
	{ CRI_SA_NODEFER, "nodefer" },
	{ CRI_SA_RESETHAND, "resethand" },
	{ }
};

static const struct cri_name cri_ss_flags[] = {
	{ CRI_SS_ONSTACK, "onstack" },
	{ CRI_SS_DISABLE, "disable" },
	{ CRI_SS_AUTODISARM, "autodisarm" },
	{ }
};

static const struct cri_name cri_personality[] = {
	{ UNAME26, "uname26" },
	{ ADDR_NO_RANDOMIZE, "addr_no_randomize" },
	{ FDPIC_FUNCPTRS, "fdpic_funcptrs" },
	{ MMAP_PAGE_ZERO, "mmap_page_zero" },
	{ ADDR_COMPAT_LAYOUT, "addr_compat_layout" },
	{ READ_IMPLIES_EXEC, "read_implies_exec" },
	{ ADDR_LIMIT_32BIT, "addr_limit_32bit" },
	{ SHORT_INODE, "short_inode" },
	{ WHOLE_SECONDS, "whole_seconds" },
	{ STICKY_TIMEOUTS, "sticky_timeouts" },
	{ ADDR_LIMIT_3GB, "addr_limit_3gb" },
	{ }
};

static const struct cri_name cri_auxv_types[] = {
	{ AT_NULL, "AT_NULL" },
	{ AT_IGNORE, "AT_IGNORE" },
	{ AT_EXECFD, "AT_EXECFD" },
	{ AT_PHDR, "AT_PHDR" },
	{ AT_PHENT, "AT_PHENT" },
	{ AT_PHNUM, "AT_PHNUM" },
	{ AT_PAGESZ, "AT_PAGESZ" },
	{ AT_BASE, "AT_BASE" },
	{ AT_FLAGS, "AT_FLAGS" },
	{ AT_ENTRY, "AT_ENTRY" },
	{ AT_NOTELF, "AT_NOTELF" },
	{ AT_UID, "AT_UID" },
	{ AT_EUID, "AT_EUID" },
	{ AT_GID, "AT_GID" },
	{ AT_EGID, "AT_EGID" },
	{ AT_PLATFORM, "AT_PLATFORM" },
	{ AT_HWCAP, "AT_HWCAP" },
	{ AT_CLKTCK, "AT_CLKTCK" },
	{ AT_SECURE, "AT_SECURE" },
	{ AT_BASE_PLATFORM, "AT_BASE_PLATFORM" },
	{ AT_RANDOM, "AT_RANDOM" },
	{ AT_HWCAP2, "AT_HWCAP2" },
#ifdef AT_RSEQ_FEATURE_SIZE
	{ AT_RSEQ_FEATURE_SIZE, "AT_RSEQ_FEATURE_SIZE" },
	{ AT_RSEQ_ALIGN, "AT_RSEQ_ALIGN" },
#endif
#ifdef AT_HWCAP3
	{ AT_HWCAP3, "AT_HWCAP3" },
	{ AT_HWCAP4, "AT_HWCAP4" },
#endif
	{ AT_EXECFN, "AT_EXECFN" },
	{ AT_SYSINFO_EHDR, "AT_SYSINFO_EHDR" },
	{ AT_MINSIGSTKSZ, "AT_MINSIGSTKSZ" },
	{ }
};

static const struct cri_name cri_si_codes[] = {
	{ 0, "SI_USER" },
	{ 0x80, "SI_KERNEL" },
	{ (__u32)-1, "SI_QUEUE" },
	{ (__u32)-2, "SI_TIMER" },
	{ (__u32)-3, "SI_MESGQ" },
	{ (__u32)-4, "SI_ASYNCIO" },
	{ (__u32)-5, "SI_SIGIO" },
	{ (__u32)-6, "SI_TKILL" },
	{ }
};

/* signals 1..31 as the kernel numbers them on x86_64 */
static const char * const cri_signames[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

/* RLIMIT_* in the kernel's order */
static const char * const cri_rlimits[CR_RLIM_NLIMITS] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime",
};

static const char * const cri_itimers[3] = { "real", "virtual", "prof" };

static const char *cri_lookup(const struct cri_name *t, __u64 val)
{
	for (; t->name; t++)
		if (t->val == val)
			return t->name;
	return NULL;
}

/* "a|b|0x100": the names of the bits of @val, unknown bits in hex */
static const char *cri_flags(char *buf, size_t size, __u64 val, const struct cri_name *t)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; t->name && len < size; t++) {
		if (!(val & t->val) || (val & t->val) != t->val)
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "", t->name);
		val &= ~t->val;
	}
	if (val && len < size)
		snprintf(buf + len, size - len, "%s%#llx", len ? "|" : "", (unsigned long long)val);
	return buf;
}

static const char *cri_signame(char *buf, size_t size, __u32 sig)
{
	if (sig && sig < 32)
		return cri_signames[sig];
	if (sig == 32)
		return "SIGRTMIN";
	if (sig == CR_NSIG)
		return "SIGRTMAX";
	if (sig > 32 && sig < CR_NSIG)
		snprintf(buf, size, "SIGRTMIN+%u", sig - 32);
	else
		snprintf(buf, size, "%u", sig);
	return buf;
}

/* Names of the signals in a mask, bit n-1 for signal n. */
static const char *cri_sigset(char *buf, size_t size, __u64 set)
{
	char tmp[24];
	size_t len = 0;
	__u32 sig;

	buf[0] = '\0';
	for (sig = 1; sig <= CR_NSIG && len < size; sig++)
		if (set & (1ULL << (sig - 1)))
			len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
					cri_signame(tmp, sizeof(tmp), sig));
	return buf;
}

/* "drwxr-xr-x" */
static const char *cri_mode(char *buf, __u32 mode)
{
	static const char rwx[] = "rwxrwxrwx";
	char t = '?';
	int i;

	switch (mode & S_IFMT) {
	case S_IFREG:
		t = '-';
		break;
	case S_IFDIR:
		t = 'd';
		break;
	case S_IFCHR:
		t = 'c';
		break;
	case S_IFBLK:
		t = 'b';
		break;
	case S_IFIFO:
		t = 'p';
		break;
	case S_IFLNK:
		t = 'l';
		break;
	case S_IFSOCK:
		t = 's';
		break;
	}
	buf[0] = t;
	for (i = 0; i < 9; i++)
		buf[1 + i] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		buf[3] = buf[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		buf[6] = buf[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		buf[9] = buf[9] == 'x' ? 't' : 'T';
	buf[10] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------ */
/* output: human-readable lines or JSON, through the same calls             */
/* ------------------------------------------------------------------------ */

/* the deepest nesting: a record, an array in it, an object in that */
#define CRI_DEPTH	4

enum cri_fmt {
	CRI_DEC,	/* decimal; a JSON number */
	CRI_HEX,	/* 0x...; a JSON string (addresses, 64-bit masks) */
	CRI_FLG,	/* 0x...; a JSON number (flags) */
	CRI_OCT,	/* 0...; a JSON number (modes) */
};

struct cri_level {
	bool array;	/* an array, else an object */
	bool lines;	/* human: elements on lines of their own, key[i] */
	bool inline_;	/* human: the container is printed on one line */
	bool first;	/* nothing in it yet */
	unsigned int n;	/* elements so far */
	const char *key;
};

struct cri_out {
	FILE *f;	/* NULL: print nothing */
	bool json;
	int depth;
	struct cri_level lvl[CRI_DEPTH];
};

/* One code point of valid UTF-8 at @s: its length, 0 if invalid. */
static int cri_utf8(const unsigned char *s, size_t n, __u32 *cp)
{
	__u32 c;
	int len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/*
 * A byte string, quoted.  JSON: valid UTF-8 as is, controls and every
 * byte that is not part of valid UTF-8 as \u00XX.  Human: printable ASCII
 * and valid UTF-8 from U+00A0 on as is, any other byte as \xXX.  Returns
 * false if a byte was not valid UTF-8 (JSON cannot tell it from U+00XX).
 */
static bool cri_put_string(struct cri_out *o, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	bool utf8 = true;
	size_t i = 0;
	__u32 cp;
	int n;

	fputc('"', o->f);
	while (i < len) {
		n = cri_utf8(s + i, len - i, &cp);
		if (!n)
			utf8 = false;
		if (s[i] == '"' || s[i] == '\\') {
			fprintf(o->f, "\\%c", s[i]);
			i++;
		} else if (n && (cp >= 0xa0 || (cp >= 0x20 && cp < 0x7f))) {
			fwrite(s + i, 1, n, o->f);
			i += n;
		} else if (o->json) {
			/* a control, or a byte that is no UTF-8 */
			fprintf(o->f, "\\u%04x", n ? cp : s[i]);
			i += n ? n : 1;
		} else {
			fprintf(o->f, "\\x%02x", s[i]);
			i++;
		}
	}
	fputc('"', o->f);
	return utf8;
}

/* Start a value: its key (JSON), or its line or place on a line (human). */
static void cri_pre(struct cri_out *o, const char *key)
{
	struct cri_level *l = &o->lvl[o->depth];

	if (o->json) {
		if (!l->first)
			fputs(", ", o->f);
		if (!l->array)
			fprintf(o->f, "\"%s\": ", key);
	} else if (l->array && l->lines) {
		fprintf(o->f, "    %s[%u]: ", l->key, l->n);
	} else if (l->inline_) {
		if (!l->first)
			fputc(' ', o->f);
		if (!l->array)
			fprintf(o->f, "%s=", key);
	} else {
		fprintf(o->f, "    %s: ", key);
	}
	l->first = false;
	l->n++;
}

/* End a value: the end of its line when it had one. */
static void cri_post(struct cri_out *o)
{
	const struct cri_level *l = &o->lvl[o->depth];

	if (!o->json && (!l->inline_ || (l->array && l->lines)))
		fputc('\n', o->f);
}

static void cri_push(struct cri_out *o, bool array, bool lines, const char *key)
{
	struct cri_level *l = &o->lvl[++o->depth];

	l->array = array;
	l->lines = lines;
	/* human: everything but an array of lines is printed on one line */
	l->inline_ = !(array && lines);
	l->first = true;
	l->n = 0;
	l->key = key;
}

/* Human: the index the next element of the current array is shown with. */
static void cri_index(struct cri_out *o, unsigned int n)
{
	o->lvl[o->depth].n = n;
}

static void cri_obj_begin(struct cri_out *o, const char *key)
{
	if (!o->f)
		return;
	cri_pre(o, key);
	if (o->json)
		fputc('{', o->f);
	cri_push(o, false, false, key);
}

static void cri_obj_end(struct cri_out *o)
{
	if (!o->f)
		return;
	o->depth--;
	if (o->json)
		fputc('}', o->f);
	cri_post(o);
}

/* An array; human: elements on lines of their own if @lines, else inline. */
static void cri_arr_begin(struct cri_out *o, const char *key, bool lines)
{
	const struct cri_level *up;

	if (!o->f)
		return;
	up = &o->lvl[o->depth];
	if (o->json) {
		cri_pre(o, key);
		fputc('[', o->f);
	} else if (!lines) {
		cri_pre(o, key);
	} else if (up->inline_) {
		/* human: lines cannot nest in a line; list it inline */
		cri_pre(o, key);
		lines = false;
	}
	cri_push(o, true, lines, key);
}

static void cri_arr_end(struct cri_out *o)
{
	bool lines;

	if (!o->f)
		return;
	lines = o->lvl[o->depth].lines;
	o->depth--;
	if (o->json) {
		fputc(']', o->f);
		cri_post(o);
	} else if (!lines) {
		cri_post(o);
	}
}

/* A number, with its symbolic reading @str if not NULL. */
static void cri_num(struct cri_out *o, const char *key, __u64 v, enum cri_fmt fmt,
		    const char *str)
{
	unsigned long long u = v;

	if (!o->f)
		return;
	cri_pre(o, key);
	if (o->json && fmt == CRI_HEX)
		fprintf(o->f, "\"0x%llx\"", u);
	else if (o->json || fmt == CRI_DEC)
		fprintf(o->f, "%llu", u);
	else if (fmt == CRI_OCT)
		fprintf(o->f, "%#llo", u);
	else
		fprintf(o->f, "0x%llx", u);
	if (str && !o->json && *str)
		fprintf(o->f, " (%s)", str);
	cri_post(o);
	if (str && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_str\": ", key);
		cri_put_string(o, str, strlen(str));
	}
}

static void cri_dec(struct cri_out *o, const char *key, __u64 v)
{
	cri_num(o, key, v, CRI_DEC, NULL);
}

static void cri_hex(struct cri_out *o, const char *key, __u64 v)
{
	cri_num(o, key, v, CRI_HEX, NULL);
}

/* A signed number, with its symbolic reading @str if not NULL. */
static void cri_signed(struct cri_out *o, const char *key, __s64 v, const char *str)
{
	if (!o->f)
		return;
	cri_pre(o, key);
	fprintf(o->f, "%lld", (long long)v);
	if (str && !o->json)
		fprintf(o->f, " (%s)", str);
	cri_post(o);
	if (str && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_str\": ", key);
		cri_put_string(o, str, strlen(str));
	}
}

/* A resource limit: RLIM_INFINITY reads "unlimited" (human) */
static void cri_rlim(struct cri_out *o, const char *key, __u64 v)
{
	if (!o->f)
		return;
	if (o->json || v != ~0ULL) {
		cri_dec(o, key, v);
		return;
	}
	cri_pre(o, key);
	fputs("unlimited", o->f);
	cri_post(o);
}

/* A symbolic value: its number and its name, if it has one. */
static void cri_sym(struct cri_out *o, const char *key, __u64 v, const struct cri_name *t)
{
	cri_num(o, key, v, CRI_DEC, cri_lookup(t, v));
}

static void cri_flg(struct cri_out *o, const char *key, __u64 v, const struct cri_name *t)
{
	char buf[512];

	cri_num(o, key, v, CRI_FLG, cri_flags(buf, sizeof(buf), v, t));
}

/*
 * A string of @len bytes.  JSON: when it is not valid UTF-8, its bytes
 * follow in hex as KEY_hex, so that nothing is lost.
 */
static void cri_str(struct cri_out *o, const char *key, const char *s, size_t len)
{
	size_t i;

	if (!o->f)
		return;
	cri_pre(o, key);
	if (!cri_put_string(o, s, len) && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_hex\": \"", key);
		for (i = 0; i < len; i++)
			fprintf(o->f, "%02x", (unsigned char)s[i]);
		fputc('"', o->f);
	}
	cri_post(o);
}

/* Bytes in hex. */
static void cri_bytes(struct cri_out *o, const char *key, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	if (!o->f)
		return;
	cri_pre(o, key);
	if (o->json)
		fputc('"', o->f);
	for (i = 0; i < len; i++)
		fprintf(o->f, "%02x", b[i]);
	if (o->json)
		fputc('"', o->f);
	cri_post(o);
}

/* ------------------------------------------------------------------------ */
/* the reader                                                               */
/* ------------------------------------------------------------------------ */

/* Where in the record order the next record is. */
enum cri_stage {
	CRI_S_HEAD,		/* nothing read yet */
	CRI_S_ARCH,		/* after the head: the arch record */
	CRI_S_TASK,		/* after the head: pads, then the task or the tail */
	CRI_S_CPU,
	CRI_S_FPU,
	CRI_S_MM,
	CRI_S_VMA,		/* vmas_left vma records to come */
	CRI_S_FILES,		/* pipe, file and fd records, up to the fs record */
	CRI_S_SIGNALS,
	CRI_S_PAGES,		/* pages records (each with its data), pads, the tail */
	CRI_S_PAGE_DATA,	/* pads, then the data of the last pages record */
	CRI_S_END,		/* after the tail: the end of the stream */
};

#define CRI_T(t)	(1U << (t))

static const __u32 cri_allowed[] = {
	[CRI_S_ARCH] = CRI_T(CR_REC_PAD) | CRI_T(CR_REC_ARCH),
	[CRI_S_TASK] = CRI_T(CR_REC_PAD) | CRI_T(CR_REC_TASK) | CRI_T(CR_REC_TAIL),
	[CRI_S_CPU] = CRI_T(CR_REC_CPU),
	[CRI_S_FPU] = CRI_T(CR_REC_FPU),
	[CRI_S_MM] = CRI_T(CR_REC_MM),
	[CRI_S_VMA] = CRI_T(CR_REC_VMA),
	[CRI_S_FILES] = CRI_T(CR_REC_PIPE) | CRI_T(CR_REC_FILE) | CRI_T(CR_REC_FD) |
			CRI_T(CR_REC_FS),
	[CRI_S_SIGNALS] = CRI_T(CR_REC_SIGNALS),
	[CRI_S_PAGES] = CRI_T(CR_REC_PAGES) | CRI_T(CR_REC_PAD) | CRI_T(CR_REC_TAIL),
	[CRI_S_PAGE_DATA] = CRI_T(CR_REC_PAD) | CRI_T(CR_REC_PAGE_DATA),
};

static const char * const cri_expected[] = {
	[CRI_S_HEAD] = "head",
	[CRI_S_ARCH] = "arch or pad",
	[CRI_S_TASK] = "task, pad or tail",
	[CRI_S_CPU] = "cpu",
	[CRI_S_FPU] = "fpu",
	[CRI_S_MM] = "mm",
	[CRI_S_VMA] = "vma",
	[CRI_S_FILES] = "pipe, file, fd or fs",
	[CRI_S_SIGNALS] = "signals",
	[CRI_S_PAGES] = "pages, pad or tail",
	[CRI_S_PAGE_DATA] = "page_data or pad",
	[CRI_S_END] = "the end of the stream",
};

/* A pipe, by objref: which of its ends a file record took. */
struct cri_pipe {
	bool fifo;
	bool taken[2];
};

struct cri {
	int fd;
	__u64 off;		/* stream offset of the next byte */
	__u64 records;		/* records read, checked and counted */
	__u64 rec_off;		/* stream offset of the current record */
	struct cr_hdr hdr;	/* its header */
	unsigned char *buf;	/* its payload and padding */
	enum cri_stage stage;
	bool show_pages;

	struct cr_rec_head head;
	struct cr_rec_arch arch;
	struct cr_rec_task task;
	struct cr_rec_mm mm;
	__u32 vmas_left;
	__u32 vdso_parts;
	struct cr_rec_vma *vmas;
	__u32 nr_vmas;
	__u32 cap_vmas;
	__u32 nr_objs;
	struct cri_pipe *pipes;
	__u32 nr_pipes;
	__u32 cap_pipes;
	bool any_fd;
	__u32 last_fd;
	__u32 pages_nr;		/* pages the next page data holds */
	__u32 cur_vma;		/* the vma the last page went to */
	__u64 next_addr;	/* the lowest address the next page may have */

	char why[512];		/* the problem, if any */
	__u64 why_off;
	struct cri_out out;
};

static const char *cri_rec_name(__u32 type)
{
	static const char * const names[CR_REC_MAX] = {
		[CR_REC_HEAD] = "head",
		[CR_REC_TAIL] = "tail",
		[CR_REC_PAD] = "pad",
		[CR_REC_TASK] = "task",
		[CR_REC_CPU] = "cpu",
		[CR_REC_FPU] = "fpu",
		[CR_REC_MM] = "mm",
		[CR_REC_VMA] = "vma",
		[CR_REC_PAGES] = "pages",
		[CR_REC_PAGE_DATA] = "page_data",
		[CR_REC_FILE] = "file",
		[CR_REC_FD] = "fd",
		[CR_REC_FS] = "fs",
		[CR_REC_SIGNALS] = "signals",
		[CR_REC_PIPE] = "pipe",
		[CR_REC_ARCH] = "arch",
	};

	if (type < CR_REC_MAX && names[type])
		return names[type];
	return "unknown";
}

/* The image is invalid: say why, at the offset of the current record. */
static int __attribute__((format(printf, 2, 3))) cri_bad(struct cri *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	c->why_off = c->rec_off;
	return CRI_INVALID;
}

static int cri_ioerr(struct cri *c)
{
	snprintf(c->why, sizeof(c->why), "read error at offset %llu: %s",
		 (unsigned long long)c->off, strerror(errno));
	return CRI_ERROR;
}

/* Read up to @len bytes: fewer only at the end of the stream; -1 on error. */
static ssize_t cri_read(struct cri *c, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(c->fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	c->off += done;
	return done;
}

/* Read bytes inside the current record: the stream may not end here. */
static int cri_body(struct cri *c, void *buf, size_t len)
{
	ssize_t n = cri_read(c, buf, len);

	if (n < 0)
		return cri_ioerr(c);
	if ((size_t)n < len)
		return cri_bad(c, "%s record cut short: the stream ends at offset %llu",
			       cri_rec_name(c->hdr.type), (unsigned long long)c->off);
	return 0;
}

/* Read the rest of the payload after its first @have bytes, and the padding. */
static int cri_rest(struct cri *c, __u32 have)
{
	__u32 len = c->hdr.len, i;
	__u64 end = CRI_ALIGN(len);
	int ret;

	ret = cri_body(c, c->buf + have, end - have);
	if (ret)
		return ret;
	for (i = len; i < end; i++)
		if (c->buf[i])
			return cri_bad(c, "%s record: non-zero padding",
				       cri_rec_name(c->hdr.type));
	return 0;
}

/*
 * A string of @len bytes, NUL included, as cr_read_string() takes it: 1..@max
 * bytes, the last one the only NUL.
 */
static int cri_check_string(struct cri *c, const char *what, const char *s, __u32 len,
			    __u32 max)
{
	if (!len || len > max)
		return cri_bad(c, "%s record: %s of %u bytes (1..%u allowed)",
			       cri_rec_name(c->hdr.type), what, len, max);
	if (strnlen(s, len) != len - 1)
		return cri_bad(c, "%s record: %s is not a NUL-terminated string of %u bytes",
			       cri_rec_name(c->hdr.type), what, len);
	return 0;
}

/* Grow an array by one element. */
static void *cri_grow(void *arr, __u32 nr, __u32 *cap, size_t size)
{
	__u32 n = *cap ? 2 * *cap : 16;
	void *p;

	if (nr < *cap)
		return arr;
	p = realloc(arr, (size_t)n * size);
	if (!p)
		return NULL;
	*cap = n;
	return p;
}

static int cri_nomem(struct cri *c)
{
	snprintf(c->why, sizeof(c->why), "out of memory");
	return CRI_ERROR;
}

static void cri_rec_begin(struct cri *c)
{
	struct cri_out *o = &c->out;
	struct cri_level *l;

	if (!o->f)
		return;
	if (o->json) {
		fprintf(o->f, "%s{\"offset\": %llu, \"type\": \"%s\", \"len\": %u",
			c->records ? ",\n" : "\n", (unsigned long long)c->rec_off,
			cri_rec_name(c->hdr.type), c->hdr.len);
	} else {
		fprintf(o->f, "@%llu %s len=%u\n", (unsigned long long)c->rec_off,
			cri_rec_name(c->hdr.type), c->hdr.len);
	}
	o->depth = 1;
	l = &o->lvl[1];
	memset(l, 0, sizeof(*l));
	l->first = !o->json;	/* JSON: offset, type and len came first */
}

static void cri_rec_end(struct cri *c)
{
	struct cri_out *o = &c->out;

	if (!o->f)
		return;
	if (o->json)
		fputc('}', o->f);
	o->depth = 0;
}

/* ------------------------------------------------------------------------ */
/* records                                                                  */
/* ------------------------------------------------------------------------ */

/* The first fields of every format version of the head, as restart reads them. */
struct cri_head_prefix {
	__u64 magic;
	__u32 version;
};

static int cri_head(struct cri *c)
{
	const size_t pre = sizeof(struct cri_head_prefix);
	struct cr_rec_head *h = &c->head;
	struct cri_out *o = &c->out;
	char buf[512];
	struct tm tm;
	time_t t;
	int ret;

	/* as cr_read_head(): magic and version first, so that another version is named */
	if (c->hdr.type != CR_REC_HEAD || c->hdr.len < pre)
		return cri_bad(c, "not a cr image: no head record (type %u, len %u)",
			       c->hdr.type, c->hdr.len);
	ret = cri_body(c, c->buf, pre);
	if (ret)
		return ret;
	memcpy(h, c->buf, pre);
	if (h->magic != CR_HEAD_MAGIC)
		return cri_bad(c, "not a cr image: bad magic %#llx",
			       (unsigned long long)h->magic);
	if (h->version != CR_FORMAT_VERSION)
		return cri_bad(c, "image format version %u, crinspect reads version %u",
			       h->version, CR_FORMAT_VERSION);
	if (c->hdr.len != sizeof(*h))
		return cri_bad(c, "head record: length %u, expected %zu", c->hdr.len, sizeof(*h));
	ret = cri_rest(c, pre);
	if (ret)
		return ret;
	memcpy(h, c->buf, sizeof(*h));
	if (h->page_size != CRI_PAGE_SIZE)
		return cri_bad(c, "head record: page size %u, x86_64 has %llu", h->page_size,
			       CRI_PAGE_SIZE);
	if (h->arch != CR_ARCH_X86_64)
		return cri_bad(c, "head record: arch %u, crinspect knows x86_64 (%u) only",
			       h->arch, CR_ARCH_X86_64);
	if (h->flags & ~CR_CHECKPOINT_FLAGS)
		return cri_bad(c, "head record: unknown flags %#x", h->flags);

	cri_rec_begin(c);
	cri_num(o, "magic", h->magic, CRI_HEX, "LLCPKR01");
	cri_dec(o, "version", h->version);
	cri_num(o, "arch", h->arch, CRI_DEC, "x86_64");
	cri_dec(o, "page_size", h->page_size);
	cri_num(o, "flags", h->flags, CRI_FLG, NULL);
	buf[0] = '\0';
	t = (time_t)h->time;
	if (h->time <= (__u64)LLONG_MAX && gmtime_r(&t, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	cri_num(o, "time", h->time, CRI_DEC, buf[0] ? buf : NULL);
	cri_dec(o, "crid", h->crid);
	/* restart ends it at its last byte if need be: not checked */
	cri_str(o, "release", h->release, strnlen(h->release, sizeof(h->release) - 1));
	cri_rec_end(c);
	c->stage = CRI_S_ARCH;
	return 0;
}

static int cri_arch(struct cri *c)
{
	struct cr_rec_arch *a = &c->arch;
	struct cri_out *o = &c->out;
	char buf[512];
	unsigned int i;
	int ret;

	ret = cri_rest(c, c->hdr.len);
	if (ret)
		return ret;
	memcpy(a, c->buf, sizeof(*a));
	if (a->__reserved || a->xstate_size < CRI_FXSAVE_SIZE + CRI_XSAVE_HDR_SIZE ||
	    a->xstate_size > CR_FPU_STATE_MAX || (a->xfeatures & 3) != 3)
		return cri_bad(c, "arch record: bad XSAVE size %u or features %#llx",
			       a->xstate_size, (unsigned long long)a->xfeatures);
	for (i = 0; i < CR_X86_XFEATURES; i++) {
		const struct cr_x86_xstate_comp *x = &a->comp[i];

		if (i < 2 || !(a->xfeatures & (1ULL << i))) {
			if (x->offset || x->size)
				return cri_bad(c, "arch record: place given for component %u", i);
		} else if (x->offset < CRI_FXSAVE_SIZE + CRI_XSAVE_HDR_SIZE || !x->size ||
			   x->offset > a->xstate_size || x->size > a->xstate_size - x->offset) {
			return cri_bad(c, "arch record: XSAVE component %u outside the area", i);
		}
	}
	cri_rec_begin(c);
	cri_dec(o, "xstate_size", a->xstate_size);
	cri_dec(o, "reserved", a->__reserved);
	cri_num(o, "xfeatures", a->xfeatures, CRI_HEX,
		cri_flags(buf, sizeof(buf), a->xfeatures, cri_xfeatures));
	cri_arr_begin(o, "comp", true);
	for (i = 2; i < CR_X86_XFEATURES; i++) {
		if (!(a->xfeatures & (1ULL << i)))
			continue;
		cri_index(o, i);
		cri_obj_begin(o, NULL);
		cri_dec(o, "offset", a->comp[i].offset);
		cri_dec(o, "size", a->comp[i].size);
		cri_obj_end(o);
	}
	cri_arr_end(o);
	cri_rec_end(c);
	c->stage = CRI_S_TASK;
	return 0;
}

static int cri_pad(struct cri *c)
{
	__u32 i;
	int ret;

	ret = cri_rest(c, 0);
	if (ret)
		return ret;
	for (i = 0; i < c->hdr.len; i++)
		if (c->buf[i])
			return cri_bad(c, "pad record with non-zero bytes");
	cri_rec_begin(c);
	cri_rec_end(c);
	return 0;
}

static int cri_task(struct cri *c)
{
	struct cr_rec_task *t = (void *)c->buf;
	struct cri_out *o = &c->out;
	int ret;

	ret = cri_rest(c, c->hdr.len);
	if (ret)
		return ret;
	if (t->__reserved || (t->personality & ~CRI_PERSONALITY_OK) != PER_LINUX)
		return cri_bad(c, "task record: personality %#x refused", t->personality);
	if (t->clear_child_tid >= CRI_TASK_SIZE || t->robust_list >= CRI_TASK_SIZE ||
	    t->rseq >= CRI_TASK_SIZE)
		return cri_bad(c, "task record: a user pointer outside user space");
	if (t->robust_list && t->robust_list_len != sizeof(struct robust_list_head))
		return cri_bad(c, "task record: robust list length %llu, expected %zu",
			       (unsigned long long)t->robust_list_len,
			       sizeof(struct robust_list_head));
	if (t->restart_fn == CR_RESTART_FN_NONE) {
		if (t->restart_clockid || t->restart_ns || t->restart_rmtp)
			return cri_bad(c,
				       "task record: restart block fields without a restart block");
	} else if (t->restart_fn != CR_RESTART_FN_NANOSLEEP ||
		   !cri_lookup(cri_clocks, (__u32)t->restart_clockid) ||
		   t->restart_ns > CRI_KTIME_MAX / 2 || t->restart_rmtp >= CRI_TASK_SIZE) {
		return cri_bad(c, "task record: bad restart block (fn %u, clock %d)",
			       t->restart_fn, t->restart_clockid);
	}
	if (t->rseq && (t->rseq % __alignof__(struct rseq) || t->rseq_len < CRI_RSEQ_MIN_LEN ||
			t->rseq_len > CRI_PAGE_SIZE))
		return cri_bad(c, "task record: bad rseq area %#llx, length %u",
			       (unsigned long long)t->rseq, t->rseq_len);

	cri_rec_begin(c);
	/* restart ends it at its last byte if need be: not checked */
	cri_str(o, "comm", t->comm, strnlen(t->comm, sizeof(t->comm) - 1));
	cri_flg(o, "personality", t->personality, cri_personality);
	cri_dec(o, "reserved", t->__reserved);
	cri_hex(o, "clear_child_tid", t->clear_child_tid);
	cri_hex(o, "robust_list", t->robust_list);
	cri_dec(o, "robust_list_len", t->robust_list_len);
	cri_hex(o, "rseq", t->rseq);
	cri_dec(o, "rseq_len", t->rseq_len);
	cri_num(o, "rseq_sig", t->rseq_sig, CRI_FLG, NULL);
	cri_sym(o, "restart_fn", t->restart_fn, cri_restart_fns);
	cri_signed(o, "restart_clockid", t->restart_clockid,
		   t->restart_fn ? cri_lookup(cri_clocks, (__u32)t->restart_clockid) : NULL);
	cri_dec(o, "restart_ns", t->restart_ns);
	cri_hex(o, "restart_rmtp", t->restart_rmtp);
	cri_rec_end(c);
	memcpy(&c->task, t, sizeof(*t));
	c->stage = CRI_S_CPU;
	return 0;
}

static bool cri_seg_ok(__u16 v)
{
	return v <= CR_SEG_TLS2;
}

/* cr_decode_tls(): the rules of set_thread_area() */
static bool cri_tls_ok(const struct cr_x86_tls *t)
{
	const __u32 known = CR_TLS_SEG_32BIT | (3U << CR_TLS_CONTENTS_SHIFT) |
			    CR_TLS_READ_EXEC_ONLY | CR_TLS_LIMIT_IN_PAGES |
			    CR_TLS_SEG_NOT_PRESENT | CR_TLS_USEABLE | CR_TLS_LM;

	if (t->__reserved)
		return false;
	if (t->flags == CR_TLS_EMPTY)
		return !t->base && !t->limit;
	if (t->flags & ~known || t->limit > 0xfffff)
		return false;
	return (t->flags & CR_TLS_SEG_32BIT) &&
	       ((t->flags >> CR_TLS_CONTENTS_SHIFT) & 3) <= 1 &&
	       !(t->flags & CR_TLS_SEG_NOT_PRESENT);
}

static int cri_cpu(struct cri *c)
{
	struct cr_rec_cpu *r = (void *)c->buf;
	const __u16 segs[4] = { r->ds, r->es, r->fs, r->gs };
	struct cri_out *o = &c->out;
	__s64 ax;
	int i, j, ret;

	ret = cri_rest(c, c->hdr.len);
	if (ret)
		return ret;
	if (r->__reserved)
		return cri_bad(c, "cpu record: reserved field %#x", r->__reserved);
	if (r->cs != CR_SEG_USER_CS || r->ss != CR_SEG_USER_DS)
		return cri_bad(c, "cpu record: cs/ss (%u, %u) are not 64-bit user segments",
			       r->cs, r->ss);
	for (i = 0; i < 4; i++)
		if (!cri_seg_ok(segs[i]) || segs[i] == CR_SEG_USER_CS)
			return cri_bad(c, "cpu record: bad data segment %u", segs[i]);
	for (i = 0; i < 3; i++)
		if (!cri_tls_ok(&r->tls[i]))
			return cri_bad(c, "cpu record: invalid TLS entry %d", i);
	/* a selector may only name a TLS entry that is set */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			if (segs[j] == CR_SEG_TLS0 + i && r->tls[i].flags == CR_TLS_EMPTY)
				return cri_bad(c, "cpu record: a selector names empty TLS entry %d",
					       i);
	if (r->ip >= CRI_TASK_SIZE || r->fs_base >= CRI_TASK_SIZE ||
	    r->gs_base >= CRI_TASK_SIZE)
		return cri_bad(c, "cpu record: ip or fs/gs base outside user space");
	/*
	 * An -ERESTART* code in ax only with the interrupted call's number in
	 * orig_ax, and -ERESTART_RESTARTBLOCK only with a restart block in the
	 * task record; the other codes of that range would be misread.
	 */
	ax = (__s64)r->ax;
	if (ax == -CRI_ERESTARTSYS || ax == -CRI_ERESTARTNOINTR || ax == -CRI_ERESTARTNOHAND ||
	    ax == -CRI_ERESTART_RESTARTBLOCK) {
		if (r->orig_ax >= CRI_X32_SYSCALL_BIT ||
		    (ax == -CRI_ERESTART_RESTARTBLOCK &&
		     c->task.restart_fn == CR_RESTART_FN_NONE))
			return cri_bad(c, "cpu record: bad interrupted system call %lld (ax %lld)",
				       (long long)r->orig_ax, (long long)ax);
	} else if (r->orig_ax != ~0ULL ||
		   (ax >= -CRI_ERESTART_RESTARTBLOCK && ax <= -CRI_ERESTARTSYS)) {
		return cri_bad(c, "cpu record: ax %lld with orig_ax %lld", (long long)ax,
			       (long long)r->orig_ax);
	}

	cri_rec_begin(c);
	cri_hex(o, "r15", r->r15);
	cri_hex(o, "r14", r->r14);
	cri_hex(o, "r13", r->r13);
	cri_hex(o, "r12", r->r12);
	cri_hex(o, "bp", r->bp);
	cri_hex(o, "bx", r->bx);
	cri_hex(o, "r11", r->r11);
	cri_hex(o, "r10", r->r10);
	cri_hex(o, "r9", r->r9);
	cri_hex(o, "r8", r->r8);
	cri_hex(o, "ax", r->ax);
	cri_hex(o, "cx", r->cx);
	cri_hex(o, "dx", r->dx);
	cri_hex(o, "si", r->si);
	cri_hex(o, "di", r->di);
	cri_hex(o, "orig_ax", r->orig_ax);
	cri_hex(o, "ip", r->ip);
	cri_hex(o, "flags", r->flags);
	cri_hex(o, "sp", r->sp);
	cri_hex(o, "fs_base", r->fs_base);
	cri_hex(o, "gs_base", r->gs_base);
	cri_sym(o, "cs", r->cs, cri_segs);
	cri_sym(o, "ss", r->ss, cri_segs);
	cri_sym(o, "ds", r->ds, cri_segs);
	cri_sym(o, "es", r->es, cri_segs);
	cri_sym(o, "fs", r->fs, cri_segs);
	cri_sym(o, "gs", r->gs, cri_segs);
	cri_dec(o, "reserved", r->__reserved);
	cri_arr_begin(o, "tls", true);
	for (i = 0; i < 3; i++) {
		cri_obj_begin(o, NULL);
		cri_hex(o, "base", r->tls[i].base);
		cri_hex(o, "limit", r->tls[i].limit);
		cri_flg(o, "flags", r->tls[i].flags, cri_tls_flags);
		cri_dec(o, "reserved", r->tls[i].__reserved);
		cri_obj_end(o);
	}
	cri_arr_end(o);
	cri_rec_end(c);
	c->stage = CRI_S_FPU;
	return 0;
}

static int cri_fpu(struct cri *c)
{
	struct cr_rec_fpu *r = (void *)c->buf;
	const unsigned char *x = c->buf + sizeof(*r);
	const __u64 *xhdr = (const void *)(x + CRI_FXSAVE_SIZE);
	struct cri_out *o = &c->out;
	__u16 fcw, fsw;
	__u32 mxcsr, mxcsr_mask;
	char buf[512];
	int i, ret;

	if (r->size != c->arch.xstate_size)
		return cri_bad(c, "fpu record: size %u, the arch record says %u", r->size,
			       c->arch.xstate_size);
	if (r->__reserved || c->hdr.len != sizeof(*r) + (__u64)r->size ||
	    r->size < CRI_FXSAVE_SIZE + CRI_XSAVE_HDR_SIZE)
		return cri_bad(c, "fpu record: bad size %u (length %u, reserved %#x)", r->size,
			       c->hdr.len, r->__reserved);
	ret = cri_rest(c, sizeof(*r));
	if (ret)
		return ret;
	/* validate_user_xstate_header(): standard format, no reserved bits */
	if (xhdr[1])
		return cri_bad(c, "fpu record: compacted XSAVE area (xcomp_bv %#llx)",
			       (unsigned long long)xhdr[1]);
	for (i = 2; i < 8; i++)
		if (xhdr[i])
			return cri_bad(c, "fpu record: reserved XSAVE header bytes set");
	if (xhdr[0] & ~c->arch.xfeatures)
		return cri_bad(c, "fpu record: xfeatures %#llx beyond the arch record's %#llx",
			       (unsigned long long)xhdr[0],
			       (unsigned long long)c->arch.xfeatures);

	memcpy(&fcw, x, sizeof(fcw));
	memcpy(&fsw, x + 2, sizeof(fsw));
	memcpy(&mxcsr, x + CRI_MXCSR_OFFSET, sizeof(mxcsr));
	memcpy(&mxcsr_mask, x + CRI_MXCSR_OFFSET + 4, sizeof(mxcsr_mask));
	cri_rec_begin(c);
	cri_dec(o, "size", r->size);
	cri_dec(o, "reserved", r->__reserved);
	cri_num(o, "xfeatures", xhdr[0], CRI_HEX,
		cri_flags(buf, sizeof(buf), xhdr[0], cri_xfeatures));
	cri_hex(o, "xcomp_bv", xhdr[1]);
	cri_num(o, "fcw", fcw, CRI_FLG, NULL);
	cri_num(o, "fsw", fsw, CRI_FLG, NULL);
	cri_num(o, "mxcsr", mxcsr, CRI_FLG, NULL);
	cri_num(o, "mxcsr_mask", mxcsr_mask, CRI_FLG, NULL);
	cri_rec_end(c);
	c->stage = CRI_S_MM;
	return 0;
}

/* cr_check_mm_rec() */
static int cri_check_mm(struct cri *c, const struct cr_rec_mm *r)
{
	const __u64 top = CRI_TASK_SIZE;
	int i, j;

	if (r->start_code > r->end_code || r->end_code > top ||
	    r->start_data > r->end_data || r->end_data > top ||
	    r->start_brk > r->brk || r->brk > top || r->start_stack > top ||
	    r->arg_start > r->arg_end || r->arg_end > top ||
	    r->env_start > r->env_end || r->env_end > top || r->vdso >= top)
		return cri_bad(c, "mm record: bad boundaries");
	if (!r->nr_vmas)
		return cri_bad(c, "mm record: no vma");
	/* type/value pairs ending with AT_NULL, nothing after it */
	for (i = 0; i < CR_AUXV_WORDS; i += 2)
		if (r->auxv[i] == AT_NULL)
			break;
	if (i >= CR_AUXV_WORDS)
		return cri_bad(c, "mm record: auxv not terminated");
	for (j = i; j < CR_AUXV_WORDS; j++)
		if (r->auxv[j])
			return cri_bad(c, "mm record: auxv word %d after AT_NULL is not zero", j);
	return 0;
}

static int cri_mm(struct cri *c)
{
	struct cr_rec_mm *r = (void *)c->buf;
	const char *exe = (const char *)(r + 1);
	struct cri_out *o = &c->out;
	int i, ret;

	if (c->hdr.len != sizeof(*r) + (__u64)r->exe_len)
		return cri_bad(c, "mm record: length %u, but exe_len %u", c->hdr.len, r->exe_len);
	ret = cri_rest(c, sizeof(*r));
	if (ret)
		return ret;
	ret = cri_check_mm(c, r);
	if (!ret && r->exe_len)
		ret = cri_check_string(c, "exe path", exe, r->exe_len, PATH_MAX);
	if (ret)
		return ret;

	cri_rec_begin(c);
	cri_hex(o, "start_code", r->start_code);
	cri_hex(o, "end_code", r->end_code);
	cri_hex(o, "start_data", r->start_data);
	cri_hex(o, "end_data", r->end_data);
	cri_hex(o, "start_brk", r->start_brk);
	cri_hex(o, "brk", r->brk);
	cri_hex(o, "start_stack", r->start_stack);
	cri_hex(o, "arg_start", r->arg_start);
	cri_hex(o, "arg_end", r->arg_end);
	cri_hex(o, "env_start", r->env_start);
	cri_hex(o, "env_end", r->env_end);
	cri_hex(o, "vdso", r->vdso);
	cri_arr_begin(o, "auxv", true);
	for (i = 0; i < CR_AUXV_WORDS; i += 2) {
		cri_obj_begin(o, NULL);
		cri_sym(o, "type", r->auxv[i], cri_auxv_types);
		cri_hex(o, "value", r->auxv[i + 1]);
		cri_obj_end(o);
		if (r->auxv[i] == AT_NULL)
			break;
	}
	cri_arr_end(o);
	cri_dec(o, "nr_vmas", r->nr_vmas);
	cri_dec(o, "exe_len", r->exe_len);
	if (r->exe_len)
		cri_str(o, "exe", exe, r->exe_len - 1);
	cri_rec_end(c);

	memcpy(&c->mm, r, sizeof(*r));
	c->vmas_left = r->nr_vmas;
	c->stage = CRI_S_VMA;
	return 0;
}

static bool cri_kind_is(__u32 kind, __u32 set)
{
	return kind < 32 && (CRI_BIT(kind) & set);
}

/* cr_check_vma_rec(), less what depends on the machine (mmap_min_addr, the vDSO size) */
static int cri_check_vma(struct cri *c, const struct cr_rec_vma *v)
{
	const __u64 prev_end = c->nr_vmas ? c->vmas[c->nr_vmas - 1].end : 0;
	bool stack = v->kind == CR_VMA_STACK;
	__u64 pages;

	if (v->start >= v->end || v->start % CRI_PAGE_SIZE || v->end % CRI_PAGE_SIZE ||
	    v->end > CRI_TASK_SIZE || v->start < prev_end)
		return cri_bad(c, "vma record: bad or overlapping range %#llx-%#llx",
			       (unsigned long long)v->start, (unsigned long long)v->end);
	if (v->prot & ~(__u32)(PROT_READ | PROT_WRITE | PROT_EXEC) || v->flags & ~CRI_VMA_F_ALL ||
	    !v->kind || v->kind > CR_VMA_VVAR)
		return cri_bad(c, "vma record: bad prot %#x, kind %u or flags %#x", v->prot,
			       v->kind, v->flags);
	if (!!v->path_len != cri_kind_is(v->kind, CRI_VMA_FILE) || v->path_len > PATH_MAX)
		return cri_bad(c, "vma record: path length %u and kind %u disagree", v->path_len,
			       v->kind);
	if (!(v->flags & CR_VMA_F_GROWSDOWN) != !stack)
		return cri_bad(c, "vma record: only the stack grows down");
	if (v->flags & CR_VMA_F_MAYWRITE && v->kind != CR_VMA_FILE_SHARED)
		return cri_bad(c, "vma record: maywrite on a mapping that is not file_shared");
	if (v->kind == CR_VMA_FILE_SHARED && (v->prot & PROT_WRITE) &&
	    !(v->flags & CR_VMA_F_MAYWRITE))
		return cri_bad(c, "vma record: writable shared file mapping without maywrite");
	pages = (v->end - v->start) / CRI_PAGE_SIZE;
	if (v->pgoff + pages < v->pgoff || v->pgoff + pages > CRI_MAX_LFS_PAGES)
		return cri_bad(c, "vma record: bad file offset %#llx",
			       (unsigned long long)v->pgoff);
	if (v->kind == CR_VMA_HEAP &&
	    (v->start < c->mm.start_brk ||
	     v->end > ((c->mm.brk + CRI_PAGE_SIZE - 1) & ~(CRI_PAGE_SIZE - 1))))
		return cri_bad(c, "vma record: heap outside brk");
	/* cr_arch_check_vdso(): where the mm record says (its size is the machine's) */
	if (v->kind == CR_VMA_VDSO && (!c->mm.vdso || v->start != c->mm.vdso))
		return cri_bad(c, "vma record: vDSO text not at the mm record's vdso %#llx",
			       (unsigned long long)c->mm.vdso);
	if (v->kind == CR_VMA_VVAR && (!c->mm.vdso || v->end != c->mm.vdso))
		return cri_bad(c,
			       "vma record: vDSO data does not end at the mm record's vdso %#llx",
			       (unsigned long long)c->mm.vdso);
	if (v->kind == CR_VMA_ANON_SHARED && v->pgoff)
		return cri_bad(c, "vma record: shared anonymous with offset");
	return 0;
}

static int cri_vma(struct cri *c)
{
	struct cr_rec_vma *v = (void *)c->buf;
	const char *path = (const char *)(v + 1);
	struct cri_out *o = &c->out;
	char prot[5];
	struct cr_rec_vma *vmas;
	int ret;

	if (c->hdr.len != sizeof(*v) + (__u64)v->path_len)
		return cri_bad(c, "vma record: length %u, but path_len %u", c->hdr.len,
			       v->path_len);
	ret = cri_rest(c, sizeof(*v));
	if (!ret)
		ret = cri_check_vma(c, v);
	if (!ret && v->path_len)
		ret = cri_check_string(c, "path", path, v->path_len, PATH_MAX);
	if (ret)
		return ret;
	if (v->kind == CR_VMA_VDSO || v->kind == CR_VMA_VVAR)
		c->vdso_parts++;
	/* cr_read_mm(): after the last vma */
	if (c->vmas_left == 1 && c->mm.vdso && c->vdso_parts != 2)
		return cri_bad(c,
			       "vma record: the last one, but %u of the 2 vDSO records (text, data) for vdso %#llx",
			       c->vdso_parts, (unsigned long long)c->mm.vdso);
	vmas = cri_grow(c->vmas, c->nr_vmas, &c->cap_vmas, sizeof(*vmas));
	if (!vmas)
		return cri_nomem(c);
	c->vmas = vmas;
	c->vmas[c->nr_vmas++] = *v;

	prot[0] = v->prot & PROT_READ ? 'r' : '-';
	prot[1] = v->prot & PROT_WRITE ? 'w' : '-';
	prot[2] = v->prot & PROT_EXEC ? 'x' : '-';
	prot[3] = v->kind == CR_VMA_ANON_SHARED || v->kind == CR_VMA_FILE_SHARED ? 's' : 'p';
	prot[4] = '\0';
	cri_rec_begin(c);
	cri_hex(o, "start", v->start);
	cri_hex(o, "end", v->end);
	cri_num(o, "prot", v->prot, CRI_FLG, prot);
	cri_sym(o, "kind", v->kind, cri_vma_kinds);
	cri_flg(o, "flags", v->flags, cri_vma_flags);
	cri_hex(o, "pgoff", v->pgoff);
	cri_dec(o, "path_len", v->path_len);
	if (v->path_len)
		cri_str(o, "path", path, v->path_len - 1);
	cri_rec_end(c);
	if (!--c->vmas_left)
		c->stage = CRI_S_FILES;
	return 0;
}

static int cri_pipe(struct cri *c)
{
	struct cr_rec_pipe *r = (void *)c->buf;
	struct cri_out *o = &c->out;
	struct cri_pipe *pipes;
	int ret;

	/* cr_read_pipe() */
	if (r->objref != c->nr_pipes + 1)
		return cri_bad(c, "pipe record: objref %u, expected %u", r->objref,
			       c->nr_pipes + 1);
	if (r->flags & ~CR_PIPE_FIFO || r->len > r->size ||
	    c->hdr.len != sizeof(*r) + (__u64)r->len || r->size < CRI_PAGE_SIZE)
		return cri_bad(c,
			       "pipe record: bad flags %#x, size %u or length %u (record length %u)",
			       r->flags, r->size, r->len, c->hdr.len);
	ret = cri_rest(c, sizeof(*r));
	if (ret)
		return ret;
	pipes = cri_grow(c->pipes, c->nr_pipes, &c->cap_pipes, sizeof(*pipes));
	if (!pipes)
		return cri_nomem(c);
	c->pipes = pipes;
	memset(&c->pipes[c->nr_pipes], 0, sizeof(*pipes));
	c->pipes[c->nr_pipes++].fifo = r->flags & CR_PIPE_FIFO;

	cri_rec_begin(c);
	cri_dec(o, "objref", r->objref);
	cri_dec(o, "size", r->size);
	cri_dec(o, "data_len", r->len);
	cri_flg(o, "flags", r->flags, cri_pipe_flags);
	if (r->len)
		cri_bytes(o, "data_head", r + 1, r->len < 32 ? r->len : 32);
	cri_rec_end(c);
	return 0;
}

static int cri_file(struct cri *c)
{
	struct cr_rec_file *r = (void *)c->buf;
	const char *path = (const char *)(r + 1);
	__u32 acc = r->flags & CRI_O_ACCMODE;
	bool pipe_end = r->kind == CR_FILE_PIPE;
	struct cri_out *o = &c->out;
	static const char * const accs[4] = { "rdonly", "wronly", "rdwr", "accmode3" };
	char buf[512], names[480], mode[11];
	struct cri_pipe *p;
	int ret;

	/* cr_read_file() */
	if (r->objref != c->nr_objs + 1)
		return cri_bad(c, "file record: objref %u, expected %u", r->objref,
			       c->nr_objs + 1);
	if (c->hdr.len != sizeof(*r) + (__u64)r->path_len)
		return cri_bad(c, "file record: length %u, but path_len %u", c->hdr.len,
			       r->path_len);
	/* a path (or, inherited, a key) for every kind but pipe ends */
	if (r->flags & ~CRI_FILE_FLAGS || !r->kind || r->kind > CR_FILE_FIFO ||
	    (r->kind != CR_FILE_PIPE && r->kind != CR_FILE_FIFO && r->pipe) ||
	    pipe_end != !r->path_len || r->path_len > PATH_MAX || r->pos < 0)
		return cri_bad(c,
			       "file record %u: invalid (kind %u, flags %#o, path_len %u, pipe %u, pos %lld)",
			       r->objref, r->kind, r->flags, r->path_len, r->pipe,
			       (long long)r->pos);
	/* a FIFO's pipe record comes first, whether or not a file is handed in */
	if (r->kind == CR_FILE_FIFO &&
	    (!r->pipe || r->pipe > c->nr_pipes || !c->pipes[r->pipe - 1].fifo || r->pos))
		return cri_bad(c,
			       "file record %u: FIFO without its pipe record (pipe %u) or with a position",
			       r->objref, r->pipe);
	ret = cri_rest(c, sizeof(*r));
	if (ret)
		return ret;
	if (pipe_end) {
		/* cr_take_pipe_end(): each end of a pipe (not a FIFO's) once */
		if (!r->pipe || r->pipe > c->nr_pipes ||
		    r->flags & ~(CRI_O_ACCMODE | CRI_O_NONBLOCK) ||
		    (acc != 0 && acc != 1))
			return cri_bad(c, "file record %u: bad pipe end (pipe %u, flags %#o)",
				       r->objref, r->pipe, r->flags);
		p = &c->pipes[r->pipe - 1];
		if (p->fifo || p->taken[acc])
			return cri_bad(c, "file record %u: the %s end of pipe %u is not free",
				       r->objref, acc ? "write" : "read", r->pipe);
		p->taken[acc] = true;
	} else {
		ret = cri_check_string(c, r->kind == CR_FILE_INHERIT ? "key" : "path", path,
				       r->path_len, PATH_MAX);
		if (ret)
			return ret;
	}
	c->nr_objs++;

	cri_flags(names, sizeof(names), r->flags & ~CRI_O_ACCMODE, cri_open_flags);
	snprintf(buf, sizeof(buf), "%s%s%s", accs[acc], names[0] ? "|" : "", names);
	cri_rec_begin(c);
	cri_dec(o, "objref", r->objref);
	cri_sym(o, "kind", r->kind, cri_file_kinds);
	cri_num(o, "flags", r->flags, CRI_OCT, buf);
	cri_num(o, "mode", r->mode, CRI_OCT, r->mode ? cri_mode(mode, r->mode) : NULL);
	cri_signed(o, "pos", r->pos, NULL);
	cri_dec(o, "path_len", r->path_len);
	cri_dec(o, "pipe", r->pipe);
	if (r->path_len)
		cri_str(o, r->kind == CR_FILE_INHERIT ? "key" : "path", path, r->path_len - 1);
	cri_rec_end(c);
	return 0;
}

static int cri_fd(struct cri *c)
{
	struct cr_rec_fd *r = (void *)c->buf;
	struct cri_out *o = &c->out;
	int ret;

	ret = cri_rest(c, c->hdr.len);
	if (ret)
		return ret;
	/*
	 * cr_read_fd(); that an inherited file past fd 2 is handed in is up to
	 * the restarter, not the image
	 */
	if (!r->objref || r->objref > c->nr_objs)
		return cri_bad(c, "fd record %u: objref %u names no earlier file record", r->fd,
			       r->objref);
	if (r->flags & ~CR_FD_CLOEXEC || r->__reserved)
		return cri_bad(c, "fd record %u: unknown flags %#x or reserved field %#x", r->fd,
			       r->flags, r->__reserved);
	if (c->any_fd && r->fd <= c->last_fd)
		return cri_bad(c, "fd record %u: not above the previous fd %u", r->fd,
			       c->last_fd);
	c->any_fd = true;
	c->last_fd = r->fd;

	cri_rec_begin(c);
	cri_dec(o, "fd", r->fd);
	cri_dec(o, "objref", r->objref);
	cri_flg(o, "flags", r->flags, cri_fd_flags);
	cri_dec(o, "reserved", r->__reserved);
	cri_rec_end(c);
	return 0;
}

static int cri_fs(struct cri *c)
{
	struct cr_rec_fs *r = (void *)c->buf;
	const char *cwd = (const char *)(r + 1);
	struct cri_out *o = &c->out;
	int ret;

	/* cr_read_fs() */
	if (r->umask & ~0777U || c->hdr.len != sizeof(*r) + (__u64)r->cwd_len)
		return cri_bad(c, "fs record: bad umask %#o or length %u (cwd_len %u)", r->umask,
			       c->hdr.len, r->cwd_len);
	ret = cri_rest(c, sizeof(*r));
	if (!ret)
		ret = cri_check_string(c, "cwd", cwd, r->cwd_len, PATH_MAX);
	if (ret)
		return ret;

	cri_rec_begin(c);
	cri_num(o, "umask", r->umask, CRI_OCT, NULL);
	cri_dec(o, "cwd_len", r->cwd_len);
	cri_str(o, "cwd", cwd, r->cwd_len - 1);
	cri_rec_end(c);
	c->stage = CRI_S_SIGNALS;
	return 0;
}

/* cr_check_signals() and the rlimit check of cr_stage_rlimits() */
static int cri_check_signals(struct cri *c, const struct cr_rec_signals *r,
			     const struct cr_siginfo *pend)
{
	const __u64 top = CRI_TASK_SIZE;
	__s32 signo;
	__u32 i;

	for (i = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &r->action[i];

		if ((a->handler > 1 && a->handler >= top) || a->restorer >= top ||
		    a->flags & ~CRI_SA_FLAGS)
			return cri_bad(c, "signals record: bad action for signal %u", i + 1);
		if ((i + 1 == SIGKILL || i + 1 == SIGSTOP) && (a->handler || a->flags))
			return cri_bad(c, "signals record: signal %u caught or ignored", i + 1);
	}
	if (r->sas_flags == CRI_SS_DISABLE) {
		if (r->sas_sp || r->sas_size)
			return cri_bad(c,
				       "signals record: disabled alternate stack with a base or size");
	} else if (r->sas_flags & ~CRI_SS_AUTODISARM || r->sas_size < CRI_MINSIGSTKSZ ||
		   r->sas_sp >= top || r->sas_size > top - r->sas_sp) {
		return cri_bad(c, "signals record: bad alternate stack");
	}
	for (i = 0; i < 3; i++)
		if (r->itimer[i].value_ns > CRI_KTIME_MAX ||
		    r->itimer[i].interval_ns > CRI_KTIME_MAX)
			return cri_bad(c, "signals record: interval timer %u beyond KTIME_MAX", i);
	for (i = 0; i < r->nr_pending; i++) {
		memcpy(&signo, pend[i].info, sizeof(signo));
		if (!pend[i].sig || pend[i].sig > CR_NSIG || pend[i].shared > 1 ||
		    pend[i].sig == SIGKILL || pend[i].sig == SIGSTOP ||
		    signo != (__s32)pend[i].sig)
			return cri_bad(c, "signals record: bad pending signal %u (%u)", i,
				       pend[i].sig);
	}
	for (i = 0; i < CR_RLIM_NLIMITS; i++)
		if (r->rlim[i].cur > r->rlim[i].max)
			return cri_bad(c, "signals record: rlimit %s soft limit above the hard one",
				       cri_rlimits[i]);
	return 0;
}

static void cri_print_signals(struct cri *c, const struct cr_rec_signals *r,
			      const struct cr_siginfo *pend)
{
	struct cri_out *o = &c->out;
	char buf[1024], tmp[24];
	__s32 si[3];
	__u32 i;

	cri_num(o, "blocked", r->blocked, CRI_HEX, cri_sigset(buf, sizeof(buf), r->blocked));
	cri_hex(o, "sas_sp", r->sas_sp);
	cri_dec(o, "sas_size", r->sas_size);
	cri_flg(o, "sas_flags", r->sas_flags, cri_ss_flags);
	cri_dec(o, "nr_pending", r->nr_pending);
	/*
	 * Dispositions all zero (SIG_DFL, no flags, empty mask) are left out;
	 * the others are shown at their index in action[], signal - 1.
	 */
	cri_arr_begin(o, "action", true);
	for (i = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &r->action[i];

		if (!a->handler && !a->flags && !a->restorer && !a->mask)
			continue;
		cri_index(o, i);
		cri_obj_begin(o, NULL);
		cri_num(o, "sig", i + 1, CRI_DEC, cri_signame(tmp, sizeof(tmp), i + 1));
		cri_num(o, "handler", a->handler, CRI_HEX,
			a->handler == 0 ? "SIG_DFL" : a->handler == 1 ? "SIG_IGN" : NULL);
		cri_flg(o, "flags", a->flags, cri_sa_flags);
		cri_hex(o, "restorer", a->restorer);
		cri_num(o, "mask", a->mask, CRI_HEX, cri_sigset(buf, sizeof(buf), a->mask));
		cri_obj_end(o);
	}
	cri_arr_end(o);
	cri_arr_begin(o, "rlim", true);
	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		cri_obj_begin(o, NULL);
		cri_num(o, "resource", i, CRI_DEC, cri_rlimits[i]);
		cri_rlim(o, "cur", r->rlim[i].cur);
		cri_rlim(o, "max", r->rlim[i].max);
		cri_obj_end(o);
	}
	cri_arr_end(o);
	cri_arr_begin(o, "itimer", true);
	for (i = 0; i < 3; i++) {
		cri_obj_begin(o, NULL);
		cri_num(o, "which", i, CRI_DEC, cri_itimers[i]);
		cri_dec(o, "value_ns", r->itimer[i].value_ns);
		cri_dec(o, "interval_ns", r->itimer[i].interval_ns);
		cri_obj_end(o);
	}
	cri_arr_end(o);
	cri_arr_begin(o, "pending", true);
	for (i = 0; i < r->nr_pending; i++) {
		memcpy(si, pend[i].info, sizeof(si));
		cri_obj_begin(o, NULL);
		cri_num(o, "sig", pend[i].sig, CRI_DEC,
			cri_signame(tmp, sizeof(tmp), pend[i].sig));
		cri_num(o, "shared", pend[i].shared, CRI_DEC,
			pend[i].shared ? "process" : "thread");
		cri_signed(o, "si_errno", si[1], NULL);
		cri_signed(o, "si_code", si[2], cri_lookup(cri_si_codes, (__u32)si[2]));
		cri_bytes(o, "info", pend[i].info, sizeof(pend[i].info));
		cri_obj_end(o);
	}
	cri_arr_end(o);
}

static int cri_signals(struct cri *c)
{
	struct cr_rec_signals *r = (void *)c->buf;
	const struct cr_siginfo *pend = (const void *)(r + 1);
	int ret;

	/* cr_read_signals() */
	if (r->nr_pending > CR_MAX_PENDING ||
	    c->hdr.len != sizeof(*r) + (__u64)r->nr_pending * sizeof(*pend))
		return cri_bad(c, "signals record: length %u, but %u pending signals",
			       c->hdr.len, r->nr_pending);
	ret = cri_rest(c, sizeof(*r));
	if (!ret)
		ret = cri_check_signals(c, r, pend);
	if (ret)
		return ret;
	cri_rec_begin(c);
	cri_print_signals(c, r, pend);
	cri_rec_end(c);
	c->stage = CRI_S_PAGES;
	return 0;
}

/* The vma that holds @addr and whose pages are saved, from the last one on. */
static bool cri_find_vma(struct cri *c, __u64 addr)
{
	while (c->cur_vma < c->nr_vmas && c->vmas[c->cur_vma].end <= addr)
		c->cur_vma++;
	return c->cur_vma < c->nr_vmas && c->vmas[c->cur_vma].start <= addr &&
	       cri_kind_is(c->vmas[c->cur_vma].kind, CRI_VMA_CONTENT);
}

static int cri_pages(struct cri *c)
{
	struct cr_rec_pages *r = (void *)c->buf;
	const __u64 *addrs = (const void *)(r + 1);
	struct cri_out *o = &c->out;
	__u32 i;
	int ret;

	/* cr_read_pages() */
	if (!r->nr || r->nr > CR_PAGES_MAX || r->__reserved ||
	    c->hdr.len != sizeof(*r) + (__u64)r->nr * sizeof(__u64))
		return cri_bad(c, "pages record: bad count %u (length %u)", r->nr, c->hdr.len);
	ret = cri_rest(c, sizeof(*r));
	if (ret)
		return ret;
	for (i = 0; i < r->nr; i++) {
		if (addrs[i] % CRI_PAGE_SIZE || addrs[i] < c->next_addr)
			return cri_bad(c,
				       "pages record: page %u at %#llx is misaligned or not above the previous one",
				       i, (unsigned long long)addrs[i]);
		if (!cri_find_vma(c, addrs[i]))
			return cri_bad(c,
				       "pages record: page %u at %#llx is in no vma saved by content",
				       i, (unsigned long long)addrs[i]);
		c->next_addr = addrs[i] + CRI_PAGE_SIZE;
	}

	cri_rec_begin(c);
	cri_dec(o, "nr", r->nr);
	cri_dec(o, "reserved", r->__reserved);
	cri_hex(o, "first", addrs[0]);
	cri_hex(o, "last", addrs[r->nr - 1]);
	if (c->show_pages) {
		cri_arr_begin(o, "addr", true);
		for (i = 0; i < r->nr; i++)
			cri_hex(o, NULL, addrs[i]);
		cri_arr_end(o);
	}
	cri_rec_end(c);
	c->pages_nr = r->nr;
	c->stage = CRI_S_PAGE_DATA;
	return 0;
}

static int cri_page_data(struct cri *c)
{
	struct cri_out *o = &c->out;
	int ret;

	if (c->hdr.len != c->pages_nr * CRI_PAGE_SIZE)
		return cri_bad(c, "page_data record: length %u, the pages record lists %u pages",
			       c->hdr.len, c->pages_nr);
	if (c->off % CRI_PAGE_SIZE)
		return cri_bad(c, "page_data record: payload at offset %llu is not page aligned",
			       (unsigned long long)c->off);
	ret = cri_rest(c, 0);
	if (ret)
		return ret;
	cri_rec_begin(c);
	cri_dec(o, "pages", c->pages_nr);
	cri_dec(o, "bytes", c->hdr.len);
	cri_rec_end(c);
	c->pages_nr = 0;
	c->stage = CRI_S_PAGES;
	return 0;
}

static int cri_tail(struct cri *c)
{
	struct cr_rec_tail *t = (void *)c->buf;
	struct cri_out *o = &c->out;
	int ret;

	ret = cri_rest(c, c->hdr.len);
	if (ret)
		return ret;
	/* cr_read_tail() */
	if (t->magic != CR_TAIL_MAGIC)
		return cri_bad(c, "bad tail magic %#llx", (unsigned long long)t->magic);
	if (t->records != c->records || t->offset != c->rec_off)
		return cri_bad(c, "tail says %llu records/%llu bytes, stream had %llu/%llu",
			       (unsigned long long)t->records, (unsigned long long)t->offset,
			       (unsigned long long)c->records, (unsigned long long)c->rec_off);
	cri_rec_begin(c);
	cri_num(o, "magic", t->magic, CRI_HEX, "LCPKTAIL");
	cri_dec(o, "records", t->records);
	/* not "offset" nor "len": the keys of every JSON record */
	cri_dec(o, "tail_offset", t->offset);
	cri_rec_end(c);
	c->stage = CRI_S_END;
	return 0;
}

/*
 * Record types: the fixed part every record of the type starts with (read
 * and checked against the length before the rest), whether that is all of
 * it, and the reader.
 */
static const struct cri_type {
	__u32 size;
	bool exact;
	int (*read)(struct cri *c);
} cri_types[CR_REC_MAX] = {
	[CR_REC_HEAD] = { sizeof(struct cr_rec_head), true, NULL },
	[CR_REC_TAIL] = { sizeof(struct cr_rec_tail), true, cri_tail },
	[CR_REC_PAD] = { 0, false, cri_pad },
	[CR_REC_TASK] = { sizeof(struct cr_rec_task), true, cri_task },
	[CR_REC_CPU] = { sizeof(struct cr_rec_cpu), true, cri_cpu },
	[CR_REC_FPU] = { sizeof(struct cr_rec_fpu), false, cri_fpu },
	[CR_REC_MM] = { sizeof(struct cr_rec_mm), false, cri_mm },
	[CR_REC_VMA] = { sizeof(struct cr_rec_vma), false, cri_vma },
	[CR_REC_PAGES] = { sizeof(struct cr_rec_pages), false, cri_pages },
	[CR_REC_PAGE_DATA] = { 0, false, cri_page_data },
	[CR_REC_FILE] = { sizeof(struct cr_rec_file), false, cri_file },
	[CR_REC_FD] = { sizeof(struct cr_rec_fd), true, cri_fd },
	[CR_REC_FS] = { sizeof(struct cr_rec_fs), false, cri_fs },
	[CR_REC_SIGNALS] = { sizeof(struct cr_rec_signals), false, cri_signals },
	[CR_REC_PIPE] = { sizeof(struct cr_rec_pipe), false, cri_pipe },
	[CR_REC_ARCH] = { sizeof(struct cr_rec_arch), true, cri_arch },
};

/* Read, check and print the next record: CRI_MORE, or the verdict. */
static int cri_record(struct cri *c)
{
	struct cr_hdr *h = &c->hdr;
	const struct cri_type *t;
	ssize_t n;
	int ret;

	c->rec_off = c->off;
	if (c->stage == CRI_S_END) {
		/* restart stops reading at the tail; an image ends there */
		n = cri_read(c, c->buf, 1);
		if (n < 0)
			return cri_ioerr(c);
		if (n)
			return cri_bad(c, "data after the tail");
		return CRI_OK;
	}
	n = cri_read(c, h, sizeof(*h));
	if (n < 0)
		return cri_ioerr(c);
	if (!n && c->stage == CRI_S_HEAD)
		return cri_bad(c, "empty stream: not a cr image");
	if (!n && c->stage == CRI_S_VMA)
		return cri_bad(c, "the stream ends before the tail: %u of %u vma records missing",
			       c->vmas_left, c->mm.nr_vmas);
	if (!n)
		return cri_bad(c, "the stream ends before the tail: %s record expected",
			       cri_expected[c->stage]);
	if ((size_t)n < sizeof(*h))
		return cri_bad(c, "record header cut short: the stream ends at offset %llu",
			       (unsigned long long)c->off);
	if (c->stage == CRI_S_HEAD) {
		ret = cri_head(c);
		if (ret)
			return ret;
		c->records++;
		return CRI_MORE;
	}

	/* cr_read_hdr() */
	if (!h->type || h->type >= CR_REC_MAX)
		return cri_bad(c, "bad record type %u", h->type);
	if (h->len > CR_REC_MAX_LEN)
		return cri_bad(c, "%s record too long (%u bytes, at most %u)",
			       cri_rec_name(h->type), h->len, CR_REC_MAX_LEN);
	if (!(cri_allowed[c->stage] & CRI_T(h->type))) {
		if (c->stage == CRI_S_VMA)
			return cri_bad(c, "unexpected %s record: expected vma %u of %u",
				       cri_rec_name(h->type), c->mm.nr_vmas - c->vmas_left + 1,
				       c->mm.nr_vmas);
		return cri_bad(c, "unexpected %s record: expected %s", cri_rec_name(h->type),
			       cri_expected[c->stage]);
	}
	t = &cri_types[h->type];
	if (t->exact && h->len != t->size)
		return cri_bad(c, "%s record: length %u, expected %u", cri_rec_name(h->type),
			       h->len, t->size);
	if (h->len < t->size)
		return cri_bad(c, "%s record: length %u, at least %u expected",
			       cri_rec_name(h->type), h->len, t->size);
	ret = cri_body(c, c->buf, t->size);
	if (!ret)
		ret = t->read(c);
	if (ret)
		return ret;
	c->records++;
	return CRI_MORE;
}

static void cri_free(struct cri *c)
{
	free(c->buf);
	free(c->vmas);
	free(c->pipes);
}

static void cri_usage(FILE *f)
{
	fprintf(f, "usage: crinspect [-j|--json] [-p|--pages] [-q|--quiet] [-h|--help] [FILE|-]\n"
		"Check a cr checkpoint image and print its records.\n"
		"  -j, --json   print one JSON document\n"
		"  -p, --pages  list the address of every saved page\n"
		"  -q, --quiet  only check: print nothing if the image is valid\n"
		"  -h, --help   this help\n"
		"FILE is read once, in order; none or - is standard input.\n"
		"Exit status: 0 valid image, 1 invalid image, 2 usage or I/O error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pages", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false, quiet = false;
	const char *in = "-";
	struct cri c = { .fd = 0 };
	char *doc = NULL;
	size_t doc_len = 0;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "jpqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			c.show_pages = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			cri_usage(stdout);
			return CRI_OK;
		default:
			cri_usage(stderr);
			return CRI_ERROR;
		}
	}
	if (optind < argc)
		in = argv[optind++];
	if (optind != argc) {
		cri_usage(stderr);
		return CRI_ERROR;
	}
	if (strcmp(in, "-")) {
		c.fd = open(in, O_RDONLY | O_CLOEXEC);
		if (c.fd < 0) {
			fprintf(stderr, "crinspect: %s: %s\n", in, strerror(errno));
			return CRI_ERROR;
		}
	} else if (isatty(0)) {
		fprintf(stderr, "crinspect: refusing to read an image from a terminal\n");
		cri_usage(stderr);
		return CRI_ERROR;
	}
	c.buf = malloc(CRI_ALIGN(CR_REC_MAX_LEN));
	if (!c.buf)
		goto out_errno;

	/* JSON: the records go to memory, to follow "valid" in the document */
	c.out.json = json;
	if (!quiet) {
		c.out.f = json ? open_memstream(&doc, &doc_len) : stdout;
		if (!c.out.f)
			goto out_errno;
	}

	do {
		ret = cri_record(&c);
	} while (ret == CRI_MORE);

	if (json && !quiet) {
		if (fclose(c.out.f)) {
			c.out.f = NULL;
			goto out_errno;
		}
		c.out.f = stdout;
		if (ret == CRI_ERROR)
			goto out;	/* no verdict on the image: no document */
		printf("{\"valid\": %s, \"records\": [%s%s]", ret ? "false" : "true", doc,
		       c.records ? "\n" : "");
		if (ret) {
			printf(", \"error\": {\"offset\": %llu, \"reason\": ",
			       (unsigned long long)c.why_off);
			cri_put_string(&c.out, c.why, strlen(c.why));
			putchar('}');
		}
		printf("}\n");
	}
	goto out;
out_errno:
	snprintf(c.why, sizeof(c.why), "%s", strerror(errno));
	ret = CRI_ERROR;
out:
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "crinspect: write error: %s\n", strerror(errno));
		ret = CRI_ERROR;
	} else if (ret == CRI_INVALID) {
		fprintf(stderr, "crinspect: offset %llu: %s\n", (unsigned long long)c.why_off,
			c.why);
	} else if (ret == CRI_ERROR) {
		fprintf(stderr, "crinspect: %s: %s\n", strcmp(in, "-") ? in : "stdin", c.why);
	}
	free(doc);
	cri_free(&c);
	if (c.fd > 0)
		close(c.fd);
	return ret;
}
