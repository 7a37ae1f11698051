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
 * The reading and the checks are cr_image.c's, which calls the checks
 * restart(2) calls (<linux/checkpoint_format.h>); the output is
 * cr_json.c's.  Here: one printer per record type.  What depends on the
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/auxvec.h>

#include "cr_image.h"
#include "cr_json.h"

#define CRI_OK		0
#define CRI_INVALID	1	/* exit status: the image is not valid */
#define CRI_ERROR	2	/* exit status: usage or I/O error */

/* The legacy (FXSAVE) area of an XSAVE area: where MXCSR is. */
#define CRI_FXSAVE_MXCSR	24

struct cri {
	struct cr_image im;
	struct cj_out out;
	bool show_pages;
};

/* ------------------------------------------------------------------------ */
/* names of the values the format does not name                             */
/* ------------------------------------------------------------------------ */

#define CR_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct cri_name {
	__u64 val;
	const char *name;
};

static const struct cri_name cri_event_flags[] = {
	{ CR_EVENT_SEMAPHORE, "semaphore" },
	{ CR_EVENT_ABSTIME, "abstime" },
	{ CR_EVENT_CANCEL_ON_SET, "cancel_on_set" },
	{ }
};

static const struct cri_name cri_pages_flags[] = {
	{ CR_PAGES_F_PARENT, "parent" },
	{ }
};

static const struct cri_name cri_vma_flags[] = {
	{ CR_VMA_F_GROWSDOWN, "growsdown" },
	{ CR_VMA_F_LOCKED, "locked" },
	{ CR_VMA_F_DONTFORK, "dontfork" },
	{ CR_VMA_F_DONTDUMP, "dontdump" },
	{ CR_VMA_F_NORESERVE, "noreserve" },
	{ CR_VMA_F_MAYWRITE, "maywrite" },
	{ CR_VMA_F_WIPEONFORK, "wipeonfork" },
	{ CR_VMA_F_RANDOM, "random" },
	{ CR_VMA_F_SEQUENTIAL, "sequential" },
	{ CR_VMA_F_INHERIT, "inherit" },
	{ CR_VMA_F_HUGEPAGE, "hugepage" },
	{ CR_VMA_F_NOHUGEPAGE, "nohugepage" },
	{ CR_VMA_F_MERGEABLE, "mergeable" },
	{ }
};

static const char *const cri_mpol_modes[CR_MPOL_MAX] = {
	[CR_MPOL_DEFAULT] = "default",
	[CR_MPOL_PREFERRED] = "preferred",
	[CR_MPOL_BIND] = "bind",
	[CR_MPOL_INTERLEAVE] = "interleave",
	[CR_MPOL_LOCAL] = "local",
	[CR_MPOL_PREFERRED_MANY] = "preferred_many",
	[CR_MPOL_WEIGHTED_INTERLEAVE] = "weighted_interleave",
};

static const struct cri_name cri_mpol_flags[] = {
	{ CR_MPOL_F_STATIC_NODES, "static_nodes" },
	{ CR_MPOL_F_RELATIVE_NODES, "relative_nodes" },
	{ CR_MPOL_F_NUMA_BALANCING, "numa_balancing" },
	{ }
};

static const struct cri_name cri_task_flags[] = {
	{ CR_TASK_NO_NEW_PRIVS, "no_new_privs" },
	{ }
};

static const struct cri_name cri_mm_flags[] = {
	{ CR_MM_THP_DISABLE, "thp_disable" },
	{ CR_MM_MDWE, "mdwe" },
	{ CR_MM_MDWE_NO_INHERIT, "mdwe_no_inherit" },
	{ CR_MM_MEMBARRIER_GLOBAL, "membarrier_global" },
	{ CR_MM_MEMBARRIER_PRIVATE, "membarrier_private" },
	{ CR_MM_MEMBARRIER_SYNC_CORE, "membarrier_sync_core" },
	{ CR_MM_MEMBARRIER_RSEQ, "membarrier_rseq" },
	{ CR_MM_MERGE_ANY, "merge_any" },
	{ }
};

static const struct cri_name cri_rec_tree_flags[] = {
	{ CR_TREE_PIDNS, "pidns" },
	{ CR_TREE_UTSNS, "utsns" },
	{ CR_TREE_IPCNS, "ipcns" },
	{ }
};

static const struct cri_name cri_tree_flags[] = {
	{ CR_TREE_ZOMBIE, "zombie" },
	{ }
};

static const struct cri_name cri_signals_flags[] = {
	{ CR_SIGNALS_SUBREAPER, "subreaper" },
	{ }
};

static const struct cri_name cri_sigstate_flags[] = {
	{ CR_SIGSTATE_SAVED_MASK, "saved_mask" },
	{ }
};

static const char * const cri_ns[CR_NS_MAX] = {
	"uts", "ipc", "mnt", "net", "pid", "pid_for_children", "user", "cgroup", "time",
	"time_for_children",
};

static const char * const cri_policies[] = {
	[0] = "normal", [3] = "batch", [5] = "idle",
};

static const struct cri_name cri_pipe_flags[] = {
	{ CR_PIPE_FIFO, "fifo" },
	{ }
};

/* the open flags a file record may hold (CR_FILE_FLAGS), less the access mode */
static const struct cri_name cri_open_flags[] = {
	{ CR_O_APPEND, "append" },
	{ CR_O_NONBLOCK, "nonblock" },
	{ CR_O_DSYNC, "dsync" },
	{ CR_O_DIRECT, "direct" },
	{ CR_O_LARGEFILE, "largefile" },
	{ CR_O_DIRECTORY, "directory" },
	{ CR_O_NOFOLLOW, "nofollow" },
	{ CR_O_NOATIME, "noatime" },
	{ CR_O_SYNC, "sync" },
	{ CR_O_PATH, "path" },
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
	{ CR_SA_NOCLDSTOP, "nocldstop" },
	{ CR_SA_NOCLDWAIT, "nocldwait" },
	{ CR_SA_SIGINFO, "siginfo" },
	{ CR_SA_EXPOSE_TAGBITS, "expose_tagbits" },
	{ CR_SA_RESTORER, "restorer" },
	{ CR_SA_ONSTACK, "onstack" },
	{ CR_SA_RESTART, "restart" },
	{ CR_SA_NODEFER, "nodefer" },
	{ CR_SA_RESETHAND, "resethand" },
	{ }
};

static const struct cri_name cri_ss_flags[] = {
	{ CR_SS_ONSTACK, "onstack" },
	{ CR_SS_DISABLE, "disable" },
	{ CR_SS_AUTODISARM, "autodisarm" },
	{ }
};

/* the personality flags a task record may hold (CR_PERSONALITY_OK) */
static const struct cri_name cri_personality[] = {
	{ CR_UNAME26, "uname26" },
	{ CR_ADDR_NO_RANDOMIZE, "addr_no_randomize" },
	{ CR_ADDR_COMPAT_LAYOUT, "addr_compat_layout" },
	{ CR_READ_IMPLIES_EXEC, "read_implies_exec" },
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
/* values                                                                   */
/* ------------------------------------------------------------------------ */

/* A symbolic value: its number and its name, if it has one. */
static void cri_sym(struct cj_out *o, const char *key, __u64 v, const char *name)
{
	cj_num(o, key, v, CJ_DEC, name);
}

static void cri_flg(struct cj_out *o, const char *key, __u64 v, const struct cri_name *t)
{
	char buf[512];

	cj_num(o, key, v, CJ_FLG, cri_flags(buf, sizeof(buf), v, t));
}

/* A resource limit: RLIM_INFINITY reads "unlimited" (human) */
static void cri_rlim(struct cj_out *o, const char *key, __u64 v)
{
	if (v == ~0ULL && !o->json)
		cj_word(o, key, "unlimited");
	else
		cj_dec(o, key, v);
}

/* ------------------------------------------------------------------------ */
/* records: each printed once cr_image_next() has read and checked it       */
/* ------------------------------------------------------------------------ */

static void cri_head(struct cri *c, const void *p)
{
	const struct cr_rec_head *h = p;
	struct cj_out *o = &c->out;
	char buf[512];
	struct tm tm;
	time_t t;

	cj_num(o, "magic", h->magic, CJ_HEX, "LLCPKR01");
	cj_dec(o, "version", h->version);
	cj_num(o, "arch", h->arch, CJ_DEC, "x86_64");
	cj_dec(o, "page_size", h->page_size);
	cj_num(o, "flags", h->flags, CJ_FLG, NULL);
	buf[0] = '\0';
	t = (time_t)h->time;
	if (h->time <= (__u64)LLONG_MAX && gmtime_r(&t, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	cj_num(o, "time", h->time, CJ_DEC, buf[0] ? buf : NULL);
	cj_dec(o, "crid", h->crid);
	/* restart ends it at its last byte if need be: not checked */
	cj_str(o, "release", h->release, strnlen(h->release, sizeof(h->release) - 1));
}

static void cri_arch(struct cri *c, const void *p)
{
	const struct cr_rec_arch *a = p;
	struct cj_out *o = &c->out;
	char buf[512];
	unsigned int i;

	cj_dec(o, "xstate_size", a->xstate_size);
	cj_dec(o, "reserved", a->__reserved);
	cj_num(o, "xfeatures", a->xfeatures, CJ_HEX,
	       cri_flags(buf, sizeof(buf), a->xfeatures, cri_xfeatures));
	cj_arr_begin(o, "comp", true);
	for (i = 2; i < CR_X86_XFEATURES; i++) {
		if (!(a->xfeatures & (1ULL << i)))
			continue;
		cj_index(o, i);
		cj_obj_begin(o, NULL);
		cj_dec(o, "offset", a->comp[i].offset);
		cj_dec(o, "size", a->comp[i].size);
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

static void cri_pad(struct cri *c, const void *p)
{
}

/* The set bits of @nwords words as a list of ranges ("0-3,8"), or "none". */
static void cri_bits(struct cj_out *o, const char *key, const __u64 *words, unsigned int nwords)
{
	unsigned int i, j;
	char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (i = 0; i < nwords * 64; i++) {
		if (!(words[i / 64] >> (i % 64) & 1))
			continue;
		for (j = i; j + 1 < nwords * 64 && words[(j + 1) / 64] >> ((j + 1) % 64) & 1; j++)
			;
		if (n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, j > i ? "%s%u-%u" : "%s%u",
				      n ? "," : "", i, j);
		i = j;
	}
	cj_word(o, key, buf[0] ? buf : "none");
}

static void cri_mempolicy(struct cj_out *o, const struct cr_mempolicy *m)
{
	cj_obj_begin(o, "mempolicy");
	cri_sym(o, "mode", m->mode, m->mode < CR_MPOL_MAX ? cri_mpol_modes[m->mode] : NULL);
	cri_flg(o, "flags", m->flags, cri_mpol_flags);
	cj_dec(o, "reserved", m->__reserved);
	cri_bits(o, "nodes", m->nodes, CR_MPOL_WORDS);
	cj_obj_end(o);
}

static void cri_task(struct cri *c, const void *p)
{
	const struct cr_rec_task *t = p;
	struct cj_out *o = &c->out;
	char buf[512];
	unsigned int i;

	/* restart ends it at its last byte if need be: not checked */
	cj_str(o, "comm", t->comm, strnlen(t->comm, sizeof(t->comm) - 1));
	cri_flg(o, "personality", t->personality, cri_personality);
	cj_dec(o, "reserved", t->__reserved);
	cj_hex(o, "clear_child_tid", t->clear_child_tid);
	cj_hex(o, "robust_list", t->robust_list);
	cj_dec(o, "robust_list_len", t->robust_list_len);
	cj_hex(o, "rseq", t->rseq);
	cj_dec(o, "rseq_len", t->rseq_len);
	cj_num(o, "rseq_sig", t->rseq_sig, CJ_FLG, NULL);
	cri_sym(o, "restart_fn", t->restart_fn, cr_restart_fn_name(t->restart_fn));
	cj_signed(o, "restart_clockid", t->restart_clockid,
		  t->restart_fn ? cr_clock_name(t->restart_clockid) : NULL);
	cj_dec(o, "restart_ns", t->restart_ns);
	cj_hex(o, "restart_rmtp", t->restart_rmtp);
	cj_signed(o, "nice", t->nice, NULL);
	cri_sym(o, "sched_policy", t->sched_policy,
		t->sched_policy < CR_ARRAY_SIZE(cri_policies) ?
		cri_policies[t->sched_policy] : NULL);
	cj_dec(o, "timer_slack_ns", t->timer_slack_ns);
	cj_dec(o, "default_timer_slack_ns", t->default_timer_slack_ns);
	cj_num(o, "pdeath_signal", t->pdeath_signal, CJ_DEC,
	       t->pdeath_signal ? cri_signame(buf, sizeof(buf), t->pdeath_signal) : NULL);
	cri_flg(o, "task_flags", t->task_flags, cri_task_flags);
	cri_bits(o, "cpus", t->cpus, CR_CPUS_WORDS);
	cj_arr_begin(o, "ns", true);
	for (i = 0; i < CR_NS_MAX; i++) {
		cj_obj_begin(o, NULL);
		cj_word(o, "name", cri_ns[i]);
		cj_dec(o, "inum", t->ns_inum[i]);
		cj_dec(o, "init", t->ns_init >> i & 1);
		cj_obj_end(o);
	}
	cj_arr_end(o);
	cj_dec(o, "reserved2", t->__reserved2);
	cri_mempolicy(o, &t->mempolicy);
}

static void cri_cpu(struct cri *c, const void *p)
{
	const struct cr_rec_cpu *r = p;
	struct cj_out *o = &c->out;
	int i;

	cj_hex(o, "r15", r->r15);
	cj_hex(o, "r14", r->r14);
	cj_hex(o, "r13", r->r13);
	cj_hex(o, "r12", r->r12);
	cj_hex(o, "bp", r->bp);
	cj_hex(o, "bx", r->bx);
	cj_hex(o, "r11", r->r11);
	cj_hex(o, "r10", r->r10);
	cj_hex(o, "r9", r->r9);
	cj_hex(o, "r8", r->r8);
	cj_hex(o, "ax", r->ax);
	cj_hex(o, "cx", r->cx);
	cj_hex(o, "dx", r->dx);
	cj_hex(o, "si", r->si);
	cj_hex(o, "di", r->di);
	cj_hex(o, "orig_ax", r->orig_ax);
	cj_hex(o, "ip", r->ip);
	cj_hex(o, "flags", r->flags);
	cj_hex(o, "sp", r->sp);
	cj_hex(o, "fs_base", r->fs_base);
	cj_hex(o, "gs_base", r->gs_base);
	cri_sym(o, "cs", r->cs, cri_lookup(cri_segs, r->cs));
	cri_sym(o, "ss", r->ss, cri_lookup(cri_segs, r->ss));
	cri_sym(o, "ds", r->ds, cri_lookup(cri_segs, r->ds));
	cri_sym(o, "es", r->es, cri_lookup(cri_segs, r->es));
	cri_sym(o, "fs", r->fs, cri_lookup(cri_segs, r->fs));
	cri_sym(o, "gs", r->gs, cri_lookup(cri_segs, r->gs));
	cj_dec(o, "reserved", r->__reserved);
	cj_arr_begin(o, "tls", true);
	for (i = 0; i < 3; i++) {
		cj_obj_begin(o, NULL);
		cj_hex(o, "base", r->tls[i].base);
		cj_hex(o, "limit", r->tls[i].limit);
		cri_flg(o, "flags", r->tls[i].flags, cri_tls_flags);
		cj_dec(o, "reserved", r->tls[i].__reserved);
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

static void cri_fpu(struct cri *c, const void *p)
{
	const struct cr_rec_fpu *r = p;
	const unsigned char *x = (const unsigned char *)(r + 1);
	struct cj_out *o = &c->out;
	__u64 xhdr[2];
	__u32 mxcsr, mxcsr_mask;
	__u16 fcw, fsw;
	char buf[512];

	memcpy(xhdr, x + CR_X86_FXSAVE_SIZE, sizeof(xhdr));
	memcpy(&fcw, x, sizeof(fcw));
	memcpy(&fsw, x + 2, sizeof(fsw));
	memcpy(&mxcsr, x + CRI_FXSAVE_MXCSR, sizeof(mxcsr));
	memcpy(&mxcsr_mask, x + CRI_FXSAVE_MXCSR + 4, sizeof(mxcsr_mask));
	cj_dec(o, "size", r->size);
	cj_dec(o, "reserved", r->__reserved);
	cj_num(o, "xfeatures", xhdr[0], CJ_HEX,
	       cri_flags(buf, sizeof(buf), xhdr[0], cri_xfeatures));
	cj_hex(o, "xcomp_bv", xhdr[1]);
	cj_num(o, "fcw", fcw, CJ_FLG, NULL);
	cj_num(o, "fsw", fsw, CJ_FLG, NULL);
	cj_num(o, "mxcsr", mxcsr, CJ_FLG, NULL);
	cj_num(o, "mxcsr_mask", mxcsr_mask, CJ_FLG, NULL);
}

static void cri_mm(struct cri *c, const void *p)
{
	const struct cr_rec_mm *r = p;
	const char *exe = (const char *)(r + 1);
	struct cj_out *o = &c->out;
	int i;

	cj_hex(o, "start_code", r->start_code);
	cj_hex(o, "end_code", r->end_code);
	cj_hex(o, "start_data", r->start_data);
	cj_hex(o, "end_data", r->end_data);
	cj_hex(o, "start_brk", r->start_brk);
	cj_hex(o, "brk", r->brk);
	cj_hex(o, "start_stack", r->start_stack);
	cj_hex(o, "arg_start", r->arg_start);
	cj_hex(o, "arg_end", r->arg_end);
	cj_hex(o, "env_start", r->env_start);
	cj_hex(o, "env_end", r->env_end);
	cj_hex(o, "vdso", r->vdso);
	cj_arr_begin(o, "auxv", true);
	for (i = 0; i < CR_AUXV_WORDS; i += 2) {
		cj_obj_begin(o, NULL);
		cri_sym(o, "type", r->auxv[i], cri_lookup(cri_auxv_types, r->auxv[i]));
		cj_hex(o, "value", r->auxv[i + 1]);
		cj_obj_end(o);
		if (r->auxv[i] == CR_AT_NULL)
			break;
	}
	cj_arr_end(o);
	cj_dec(o, "nr_vmas", r->nr_vmas);
	cj_dec(o, "exe_len", r->exe_len);
	cj_dec(o, "dumpable", r->dumpable);
	cri_flg(o, "mm_flags", r->mm_flags, cri_mm_flags);
	if (r->exe_len)
		cj_str(o, "exe", exe, r->exe_len - 1);
}

static void cri_vma(struct cri *c, const void *p)
{
	const struct cr_rec_vma *v = p;
	const char *path = (const char *)(v + 1);
	struct cj_out *o = &c->out;
	char prot[5];

	prot[0] = v->prot & CR_PROT_READ ? 'r' : '-';
	prot[1] = v->prot & CR_PROT_WRITE ? 'w' : '-';
	prot[2] = v->prot & CR_PROT_EXEC ? 'x' : '-';
	prot[3] = v->kind == CR_VMA_ANON_SHARED || v->kind == CR_VMA_FILE_SHARED ? 's' : 'p';
	prot[4] = '\0';
	cj_hex(o, "start", v->start);
	cj_hex(o, "end", v->end);
	cj_num(o, "prot", v->prot, CJ_FLG, prot);
	cri_sym(o, "kind", v->kind, cr_vma_kind_name(v->kind));
	cri_flg(o, "flags", v->flags, cri_vma_flags);
	cj_hex(o, "pgoff", v->pgoff);
	if (v->shm) {
		cj_dec(o, "shm", v->shm);
		cj_hex(o, "shm_size", v->shm_size);
	}
	if (v->objref)
		cj_dec(o, "objref", v->objref);
	cj_dec(o, "path_len", v->path_len);
	if (v->path_len)
		cj_str(o, "path", path, v->path_len - 1);
	cj_dec(o, "name_len", v->name_len);
	if (v->name_len)
		cj_str(o, "name", path + v->path_len, v->name_len - 1);
	cj_dec(o, "reserved", v->__reserved);
	cri_mempolicy(o, &v->mempolicy);
}

static const struct cri_name cri_sysv_flags[] = {
	{ CR_SYSV_SHM_REMOVED, "removed" },
	{ }
};

static void cri_sysv_shm(struct cri *c, const void *p)
{
	const struct cr_rec_sysv_shm *r = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "shm", r->shm);
	cj_signed(o, "id", r->id, NULL);
	cj_hex(o, "key", (__u32)r->key);
	cj_num(o, "mode", r->mode, CJ_OCT, NULL);
	cri_flg(o, "flags", r->flags, cri_sysv_flags);
	cj_dec(o, "reserved", r->__reserved);
	cj_dec(o, "size", r->size);
}

static void cri_sem_undo(struct cri *c, const void *p)
{
	const struct cr_rec_sem_undo *r = p;
	const struct cr_sem *sem = (const void *)(r + 1);
	__u32 i, nr = (c->im.rec.hdr.len - sizeof(*r)) / sizeof(*sem);
	struct cj_out *o = &c->out;

	cj_signed(o, "id", r->id, NULL);
	cj_hex(o, "key", (__u32)r->key);
	cj_num(o, "mode", r->mode, CJ_OCT, NULL);
	cj_dec(o, "nsems", r->nsems);
	cj_arr_begin(o, "sems", false);
	for (i = 0; i < r->nsems && i < nr; i++) {
		cj_obj_begin(o, NULL);
		cj_dec(o, "val", sem[i].val);
		cj_signed(o, "adj", sem[i].adj, NULL);
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

/* Printed only once checked: the messages fill the record. */
static void cri_msg_queue(struct cri *c, const void *p)
{
	const struct cr_rec_msg_queue *r = p;
	const unsigned char *m = (const void *)(r + 1);
	struct cj_out *o = &c->out;
	__u32 i;

	cj_signed(o, "id", r->id, NULL);
	cj_hex(o, "key", (__u32)r->key);
	cj_num(o, "mode", r->mode, CJ_OCT, NULL);
	cj_dec(o, "uid", r->uid);
	cj_dec(o, "gid", r->gid);
	cj_dec(o, "qbytes", r->qbytes);
	cj_dec(o, "nr_msgs", r->nr_msgs);
	cj_arr_begin(o, "msgs", false);
	for (i = 0; i < r->nr_msgs; i++) {
		const struct cr_msg *msg = (const void *)m;

		cj_obj_begin(o, NULL);
		cj_signed(o, "type", msg->type, NULL);
		cj_dec(o, "len", msg->len);
		cj_obj_end(o);
		m += sizeof(*msg) + ((msg->len + CR_ALIGN - 1) & ~(CR_ALIGN - 1));
	}
	cj_arr_end(o);
}

static void cri_sem_set(struct cri *c, const void *p)
{
	const struct cr_rec_sem_set *r = p;
	const __u16 *val = (const void *)(r + 1);
	struct cj_out *o = &c->out;
	__u32 i;

	cj_signed(o, "id", r->id, NULL);
	cj_hex(o, "key", (__u32)r->key);
	cj_num(o, "mode", r->mode, CJ_OCT, NULL);
	cj_dec(o, "uid", r->uid);
	cj_dec(o, "gid", r->gid);
	cj_dec(o, "nsems", r->nsems);
	cj_arr_begin(o, "vals", false);
	for (i = 0; i < r->nsems; i++)
		cj_dec(o, NULL, val[i]);
	cj_arr_end(o);
}

static void cri_pipe(struct cri *c, const void *p)
{
	const struct cr_rec_pipe *r = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "objref", r->objref);
	cj_dec(o, "size", r->size);
	cj_dec(o, "data_len", r->len);
	cri_flg(o, "flags", r->flags, cri_pipe_flags);
	cj_dec(o, "nr_packets", r->nr_packets);
	cj_dec(o, "reserved", r->__reserved);
	if (r->len)
		cj_bytes(o, "data_head", (const char *)(r + 1) + cr_pipe_packets_len(r),
			 r->len < 32 ? r->len : 32);
}

static const struct cri_name cri_sock_flags[] = {
	{ CR_SOCK_PASSCRED, "passcred" },
	{ CR_SOCK_PASSPIDFD, "passpidfd" },
	{ CR_SOCK_SNDBUF, "sndbuf" },
	{ CR_SOCK_RCVBUF, "rcvbuf" },
	{ CR_SOCK_ACCEPTED, "accepted" },
	{ CR_SOCK_PENDING, "pending" },
	{ }
};

static const struct cri_name cri_inet_flags[] = {
	{ CR_INET_BOUND, "bound" },
	{ CR_INET_CONNECTED, "connected" },
	{ CR_INET_REUSEADDR, "reuseaddr" },
	{ CR_INET_REUSEPORT, "reuseport" },
	{ CR_INET_BROADCAST, "broadcast" },
	{ CR_INET_KEEPALIVE, "keepalive" },
	{ CR_INET_V6ONLY, "v6only" },
	{ CR_INET_NODELAY, "nodelay" },
	{ CR_INET_PKTINFO, "pktinfo" },
	{ }
};

static const char *cri_sock_state(__u32 state)
{
	static const char * const names[CR_SOCK_STATE_MAX + 1] = {
		[CR_SOCK_NEW] = "new", [CR_SOCK_PAIR] = "pair", [CR_SOCK_ORPHAN] = "orphan",
	};

	return state <= CR_SOCK_STATE_MAX ? names[state] : NULL;
}

static void cri_socket(struct cj_out *o, const struct cr_file_socket *s)
{
	static const char * const types[6] = {
		[CR_SOCK_STREAM] = "stream", [CR_SOCK_DGRAM] = "dgram",
		[CR_SOCK_SEQPACKET] = "seqpacket",
	};

	cri_sym(o, "family", s->family, s->family == CR_AF_UNIX ? "unix" :
		s->family == CR_AF_INET ? "inet" : s->family == CR_AF_INET6 ? "inet6" : NULL);
	cri_sym(o, "type", s->type, s->type < 6 ? types[s->type] : NULL);
	cri_sym(o, "state", s->state, cri_sock_state(s->state));
	cj_dec(o, "pair", s->pair);
	cj_dec(o, "end", s->end);
	cri_flg(o, "sock_flags", s->flags, cri_sock_flags);
	cj_dec(o, "shutdown", s->shutdown);
	cj_dec(o, "err", s->err);
	cj_dec(o, "sndbuf", s->sndbuf);
	cj_dec(o, "rcvbuf", s->rcvbuf);
	cj_dec(o, "rcvlowat", s->rcvlowat);
	cj_signed(o, "peek_off", s->peek_off, NULL);
	cj_dec(o, "peer", s->peer);
	cj_signed(o, "rcvtimeo_ns", s->rcvtimeo_ns, NULL);
	cj_signed(o, "sndtimeo_ns", s->sndtimeo_ns, NULL);
	cj_dec(o, "queued", s->queued);
	cj_dec(o, "backlog", s->backlog);
	if (s->addr_len)
		cj_bytes(o, "addr", (const char *)s->addr, s->addr_len);
	if (s->peer_len)
		cj_bytes(o, "peer_addr", (const char *)s->peer_addr, s->peer_len);
	if (s->family == CR_AF_UNIX)
		return;
	cri_sym(o, "protocol", s->protocol, s->protocol == CR_IPPROTO_TCP ? "tcp" :
		s->protocol == CR_IPPROTO_UDP ? "udp" : NULL);
	cri_flg(o, "inet_flags", s->inet_flags, cri_inet_flags);
	cj_dec(o, "lport", s->lport);
	cj_dec(o, "rport", s->rport);
	cj_bytes(o, "laddr", (const char *)s->laddr, s->family == CR_AF_INET ? 4 : 16);
	cj_bytes(o, "raddr", (const char *)s->raddr, s->family == CR_AF_INET ? 4 : 16);
}

static void cri_file(struct cri *c, const void *p)
{
	static const char * const accs[4] = { "rdonly", "wronly", "rdwr", "accmode3" };
	const struct cr_rec_file *r = p;
	const char *path = cr_file_path(r);
	struct cj_out *o = &c->out;
	char buf[512], names[480], mode[11];

	cri_flags(names, sizeof(names), r->flags & ~CR_O_ACCMODE, cri_open_flags);
	snprintf(buf, sizeof(buf), "%s%s%s", accs[r->flags & CR_O_ACCMODE], names[0] ? "|" : "",
		 names);
	cj_dec(o, "objref", r->objref);
	cri_sym(o, "kind", r->kind, cr_file_kind_name(r->kind));
	cj_num(o, "flags", r->flags, CJ_OCT, buf);
	cj_num(o, "mode", r->mode, CJ_OCT, r->mode ? cri_mode(mode, r->mode) : NULL);
	cj_signed(o, "pos", r->pos, NULL);
	cj_dec(o, "path_len", r->path_len);
	cj_dec(o, "pipe", r->pipe);
	if (r->path_len)
		cj_str(o, r->kind == CR_FILE_INHERIT ? "key" : "path", path, r->path_len - 1);
	if (cr_file_has_content(r->kind)) {
		const struct cr_file_content *m = (const void *)(r + 1);

		cj_dec(o, "size", m->size);
		cj_hex(o, "seals", m->seals);
	}
	if (cr_file_is_event(r->kind)) {
		const struct cr_file_event *e = (const void *)(r + 1);

		cri_flg(o, "event_flags", e->flags, cri_event_flags);
		cj_signed(o, "clockid", e->clockid,
			  r->kind == CR_FILE_TIMERFD ? cr_clock_name(e->clockid) : NULL);
		cj_dec(o, "count", e->count);
		cj_hex(o, "mask", e->mask);
		cj_signed(o, "value_ns", e->value_ns, NULL);
		cj_signed(o, "interval_ns", e->interval_ns, NULL);
	}
	if (r->kind == CR_FILE_SOCKET)
		cri_socket(o, (const void *)(r + 1));
	if (r->kind == CR_FILE_PIDFD) {
		const struct cr_file_pidfd *p = (const void *)(r + 1);

		cj_dec(o, "task", p->task);
		cj_hex(o, "pidfd_flags", p->flags);
	}
	if (r->kind == CR_FILE_INOTIFY) {
		const struct cr_file_inotify *n = (const void *)(r + 1);

		cj_dec(o, "nr_watches", n->nr_watches);
		cj_signed(o, "next_wd", n->next_wd, NULL);
		cj_dec(o, "events_len", n->events_len);
	}
	if (r->kind == CR_FILE_MQUEUE) {
		const struct cr_file_mqueue *q = (const void *)(r + 1);

		cj_dec(o, "maxmsg", q->maxmsg);
		cj_dec(o, "msgsize", q->msgsize);
		cj_dec(o, "nr_msgs", q->nr_msgs);
		cj_dec(o, "msgs_len", q->msgs_len);
		cj_dec(o, "notify", q->notify);
		cj_dec(o, "notify_task", q->notify_task);
		cj_dec(o, "notify_signo", q->notify_signo);
		cj_hex(o, "notify_value", q->notify_value);
	}
}

static void cri_inotify(struct cri *c, const void *p)
{
	const struct cr_rec_inotify *r = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "objref", r->objref);
	cj_signed(o, "wd", r->wd, NULL);
	cj_hex(o, "mask", r->mask);
	cj_dec(o, "path_len", r->path_len);
	cj_str(o, "path", (const char *)(r + 1), r->path_len - 1);
}

static void cri_sock_queue(struct cri *c, const void *p)
{
	const struct cr_rec_sock_queue *r = p;
	const char *m = (const char *)(r + 1);
	struct cj_out *o = &c->out;
	__u32 i;

	cj_dec(o, "objref", r->objref);
	cj_dec(o, "nr", r->nr);
	cj_arr_begin(o, "msgs", false);
	for (i = 0; i < r->nr; i++) {
		const struct cr_sock_msg *h = (const void *)m;

		cj_obj_begin(o, NULL);
		cj_dec(o, "len", h->len);
		cj_dec(o, "uid", h->uid);
		cj_dec(o, "gid", h->gid);
		cj_dec(o, "sender", h->sender);
		if (h->flags & CR_SOCK_MSG_CONN) {
			cj_word(o, "connection", "true");
			cj_dec(o, "pair", h->pair);
		}
		if (h->port || h->addr[0] || memcmp(h->addr, h->addr + 1, sizeof(h->addr) - 1)) {
			cj_dec(o, "port", h->port);
			cj_bytes(o, "addr", (const char *)h->addr, sizeof(h->addr));
		}
		if (h->len)
			cj_bytes(o, "data_head", (const char *)(h + 1), h->len < 32 ? h->len : 32);
		cj_obj_end(o);
		m += sizeof(*h) + ((h->len + 7) & ~7U);
	}
	cj_arr_end(o);
}

static void cri_epoll(struct cri *c, const void *p)
{
	const struct cr_rec_epoll *r = p;
	const struct cr_epoll_item *it = (const void *)(r + 1);
	struct cj_out *o = &c->out;
	__u32 i;

	cj_dec(o, "objref", r->objref);
	cj_dec(o, "nr", r->nr);
	cj_arr_begin(o, "items", false);
	for (i = 0; i < r->nr; i++) {
		cj_obj_begin(o, NULL);
		cj_dec(o, "fd", it[i].fd);
		cj_dec(o, "objref", it[i].objref);
		cj_hex(o, "events", it[i].events);
		cj_hex(o, "data", it[i].data);
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

static void cri_file_data(struct cri *c, const void *p)
{
	const struct cr_rec_file_data *r = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "objref", r->objref);
	cj_dec(o, "offset", r->offset);
	cj_dec(o, "bytes", c->im.rec.hdr.len - sizeof(*r));
}

static void cri_fd(struct cri *c, const void *p)
{
	const struct cr_rec_fd *r = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "fd", r->fd);
	cj_dec(o, "objref", r->objref);
	cri_flg(o, "flags", r->flags, cri_fd_flags);
	cj_dec(o, "reserved", r->__reserved);
}

static void cri_fs(struct cri *c, const void *p)
{
	const struct cr_rec_fs *r = p;
	struct cj_out *o = &c->out;

	cj_num(o, "umask", r->umask, CJ_OCT, NULL);
	cj_dec(o, "cwd_len", r->cwd_len);
	cj_str(o, "cwd", (const char *)(r + 1), r->cwd_len - 1);
}

/* The pending signals of a signals or sigstate record. */
static void cri_pending(struct cj_out *o, const struct cr_siginfo *pend, __u32 nr)
{
	char tmp[24];
	__s32 si[3];
	__u32 i;

	cj_arr_begin(o, "pending", true);
	for (i = 0; i < nr; i++) {
		memcpy(si, pend[i].info, sizeof(si));
		cj_obj_begin(o, NULL);
		cj_num(o, "sig", pend[i].sig, CJ_DEC, cri_signame(tmp, sizeof(tmp), pend[i].sig));
		cj_num(o, "shared", pend[i].shared, CJ_DEC, pend[i].shared ? "process" : "thread");
		cj_signed(o, "si_errno", si[1], NULL);
		cj_signed(o, "si_code", si[2], cri_lookup(cri_si_codes, (__u32)si[2]));
		cj_bytes(o, "info", pend[i].info, sizeof(pend[i].info));
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

static void cri_sigstate(struct cri *c, const void *p)
{
	const struct cr_rec_sigstate *r = p;
	struct cj_out *o = &c->out;
	char buf[1024];

	cj_num(o, "blocked", r->blocked, CJ_HEX, cri_sigset(buf, sizeof(buf), r->blocked));
	cj_num(o, "saved_blocked", r->saved_blocked, CJ_HEX,
	       cri_sigset(buf, sizeof(buf), r->saved_blocked));
	cri_flg(o, "flags", r->flags, cri_sigstate_flags);
	cj_dec(o, "nr_pending", r->nr_pending);
	cj_hex(o, "sas_sp", r->sas_sp);
	cj_dec(o, "sas_size", r->sas_size);
	cri_flg(o, "sas_flags", r->sas_flags, cri_ss_flags);
	cj_dec(o, "reserved", r->__reserved);
	cri_pending(o, (const void *)(r + 1), r->nr_pending);
}

/* A tree index: a task's, or "outside". */
static void cri_idx(struct cj_out *o, const char *key, __u32 idx)
{
	cj_num(o, key, idx, CJ_DEC, idx == CR_TREE_OUTSIDE ? "outside" : NULL);
}

static void cri_tree(struct cri *c, const void *p)
{
	const struct cr_rec_tree *r = p;
	const struct cr_tree_task *t = (const void *)(r + 1);
	struct cj_out *o = &c->out;
	char tmp[24];
	__u32 i;

	cj_dec(o, "nr_tasks", r->nr_tasks);
	cj_dec(o, "nr_procs", r->nr_procs);
	cri_flg(o, "flags", r->flags, cri_rec_tree_flags);
	cj_dec(o, "nr_ipc", r->nr_ipc);
	if (r->flags & CR_TREE_UTSNS) {
		cj_str(o, "nodename", r->nodename, strnlen(r->nodename, sizeof(r->nodename)));
		cj_str(o, "domainname", r->domainname,
		       strnlen(r->domainname, sizeof(r->domainname)));
	}
	if (r->flags & CR_TREE_IPCNS) {
		const struct cr_ipc_limits *l = &r->ipc;

		cj_obj_begin(o, "ipc");
		cj_dec(o, "shmmax", l->shmmax);
		cj_dec(o, "shmall", l->shmall);
		cj_dec(o, "shmmni", l->shmmni);
		cj_dec(o, "shm_rmid_forced", l->shm_rmid_forced);
		cj_dec(o, "msgmax", l->msgmax);
		cj_dec(o, "msgmnb", l->msgmnb);
		cj_dec(o, "msgmni", l->msgmni);
		cj_arr_begin(o, "sem", false);
		for (i = 0; i < 4; i++)
			cj_signed(o, NULL, l->sem[i], NULL);
		cj_arr_end(o);
		cj_dec(o, "mq_queues_max", l->mq_queues_max);
		cj_dec(o, "mq_msg_max", l->mq_msg_max);
		cj_dec(o, "mq_msgsize_max", l->mq_msgsize_max);
		cj_dec(o, "mq_msg_default", l->mq_msg_default);
		cj_dec(o, "mq_msgsize_default", l->mq_msgsize_default);
		cj_obj_end(o);
	}
	cj_arr_begin(o, "tasks", true);
	for (i = 0; i < r->nr_tasks; i++) {
		cj_obj_begin(o, NULL);
		cj_signed(o, "pid", t[i].pid, NULL);
		cri_idx(o, "leader", t[i].leader);
		cri_idx(o, "parent", t[i].parent);
		cj_signed(o, "exit_signal", t[i].exit_signal, t[i].exit_signal > 0 ?
			  cri_signame(tmp, sizeof(tmp), t[i].exit_signal) : NULL);
		cri_idx(o, "pgrp", t[i].pgrp);
		cri_idx(o, "session", t[i].session);
		cri_flg(o, "flags", t[i].flags, cri_tree_flags);
		if (t[i].flags & CR_TREE_ZOMBIE)
			cj_hex(o, "exit_code", t[i].exit_code);
		if (r->flags & CR_TREE_PIDNS)
			cj_signed(o, "nspid", t[i].nspid, NULL);
		cj_obj_end(o);
	}
	cj_arr_end(o);
}

static void cri_signals(struct cri *c, const void *p)
{
	const struct cr_rec_signals *r = p;
	struct cj_out *o = &c->out;
	char buf[1024], tmp[24];
	__u32 i;

	cri_flg(o, "flags", r->flags, cri_signals_flags);
	cj_signed(o, "oom_score_adj", r->oom_score_adj, NULL);
	cj_dec(o, "nr_pending", r->nr_pending);
	cj_dec(o, "reserved", r->__reserved);
	/*
	 * Dispositions all zero (SIG_DFL, no flags, empty mask) are left out;
	 * the others are shown at their index in action[], signal - 1.
	 */
	cj_arr_begin(o, "action", true);
	for (i = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &r->action[i];

		if (!a->handler && !a->flags && !a->restorer && !a->mask)
			continue;
		cj_index(o, i);
		cj_obj_begin(o, NULL);
		cj_num(o, "sig", i + 1, CJ_DEC, cri_signame(tmp, sizeof(tmp), i + 1));
		cj_num(o, "handler", a->handler, CJ_HEX,
		       a->handler == 0 ? "SIG_DFL" : a->handler == 1 ? "SIG_IGN" : NULL);
		cri_flg(o, "flags", a->flags, cri_sa_flags);
		cj_hex(o, "restorer", a->restorer);
		cj_num(o, "mask", a->mask, CJ_HEX, cri_sigset(buf, sizeof(buf), a->mask));
		cj_obj_end(o);
	}
	cj_arr_end(o);
	cj_arr_begin(o, "rlim", true);
	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		cj_obj_begin(o, NULL);
		cj_num(o, "resource", i, CJ_DEC, cri_rlimits[i]);
		cri_rlim(o, "cur", r->rlim[i].cur);
		cri_rlim(o, "max", r->rlim[i].max);
		cj_obj_end(o);
	}
	cj_arr_end(o);
	cj_arr_begin(o, "itimer", true);
	for (i = 0; i < 3; i++) {
		cj_obj_begin(o, NULL);
		cj_num(o, "which", i, CJ_DEC, cri_itimers[i]);
		cj_dec(o, "value_ns", r->itimer[i].value_ns);
		cj_dec(o, "interval_ns", r->itimer[i].interval_ns);
		cj_obj_end(o);
	}
	cj_arr_end(o);
	cri_pending(o, (const void *)(r + 1), r->nr_pending);
}

static const struct cri_name cri_timer_flags[] = {
	{ CR_TIMER_PENDING, "pending" },
	{ CR_TIMER_REARM, "rearm" },
	{ }
};

static void cri_timer(struct cri *c, const void *p)
{
	const struct cr_rec_timer *r = p;
	struct cj_out *o = &c->out;
	char buf[64];

	cj_dec(o, "id", r->id);
	cri_sym(o, "clock", r->clock, cr_timer_clock_name(r->clock));
	cri_sym(o, "notify", r->notify, cr_sigev_name(r->notify));
	cj_num(o, "signo", r->signo, CJ_DEC, cri_signame(buf, sizeof(buf), r->signo));
	cj_hex(o, "value", r->value);
	cj_dec(o, "value_ns", r->value_ns);
	cj_dec(o, "interval_ns", r->interval_ns);
	cj_dec(o, "overrun", r->overrun);
	cj_dec(o, "expired", r->expired);
	cj_dec(o, "sig_overrun", r->sig_overrun);
	cri_flg(o, "flags", r->flags, cri_timer_flags);
}

static void cri_pages(struct cri *c, const void *p)
{
	const struct cr_rec_pages *r = p;
	const __u64 *addrs = (const void *)(r + 1);
	struct cj_out *o = &c->out;
	__u32 i;

	cj_dec(o, "nr", r->nr);
	cj_dec(o, "proc", r->proc);
	cri_flg(o, "flags", r->flags, cri_pages_flags);
	cj_hex(o, "first", addrs[0]);
	cj_hex(o, "last", addrs[r->nr - 1]);
	if (c->show_pages) {
		cj_arr_begin(o, "addr", true);
		for (i = 0; i < r->nr; i++)
			cj_hex(o, NULL, addrs[i]);
		cj_arr_end(o);
	}
}

static void cri_page_data(struct cri *c, const void *p)
{
	struct cj_out *o = &c->out;
	__u32 len = c->im.rec.hdr.len;

	cj_dec(o, "pages", len / c->im.limits.page_size);
	cj_dec(o, "bytes", len);
}

static void cri_tail(struct cri *c, const void *p)
{
	const struct cr_rec_tail *t = p;
	struct cj_out *o = &c->out;

	cj_num(o, "magic", t->magic, CJ_HEX, "LCPKTAIL");
	cj_dec(o, "records", t->records);
	/* not "offset" nor "len": the keys of every JSON record */
	cj_dec(o, "tail_offset", t->offset);
	cj_num(o, "sum", t->sum, CJ_HEX, NULL);
}

static void cri_sum(struct cri *c, const void *p)
{
	const struct cr_rec_sum *s = p;
	struct cj_out *o = &c->out;

	cj_dec(o, "sum_offset", s->offset);
	cj_num(o, "sum", s->sum, CJ_HEX, NULL);
}

/* The printer of each record type. */
static void (*const cri_printers[CR_REC_MAX])(struct cri *c, const void *p) = {
	[CR_REC_HEAD]		= cri_head,
	[CR_REC_TAIL]		= cri_tail,
	[CR_REC_SUM]		= cri_sum,
	[CR_REC_PAD]		= cri_pad,
	[CR_REC_TASK]		= cri_task,
	[CR_REC_CPU]		= cri_cpu,
	[CR_REC_FPU]		= cri_fpu,
	[CR_REC_MM]		= cri_mm,
	[CR_REC_VMA]		= cri_vma,
	[CR_REC_SYSV_SHM]	= cri_sysv_shm,
	[CR_REC_SEM_UNDO]	= cri_sem_undo,
	[CR_REC_MSG_QUEUE]	= cri_msg_queue,
	[CR_REC_SEM_SET]	= cri_sem_set,
	[CR_REC_PAGES]		= cri_pages,
	[CR_REC_PAGE_DATA]	= cri_page_data,
	[CR_REC_FILE]		= cri_file,
	[CR_REC_FD]		= cri_fd,
	[CR_REC_EPOLL]		= cri_epoll,
	[CR_REC_FILE_DATA]	= cri_file_data,
	[CR_REC_SOCK_QUEUE]	= cri_sock_queue,
	[CR_REC_INOTIFY]	= cri_inotify,
	[CR_REC_FS]		= cri_fs,
	[CR_REC_SIGNALS]	= cri_signals,
	[CR_REC_PIPE]		= cri_pipe,
	[CR_REC_ARCH]		= cri_arch,
	[CR_REC_TIMER]		= cri_timer,
	[CR_REC_TREE]		= cri_tree,
	[CR_REC_SIGSTATE]	= cri_sigstate,
};

/* Print the record cr_image_next() returned. */
static void cri_print(struct cri *c)
{
	const struct cr_image_rec *rec = &c->im.rec;

	cj_rec_begin(&c->out, rec->off, cr_rec_name(rec->hdr.type), rec->hdr.len);
	cri_printers[rec->hdr.type](c, rec->payload);
	cj_rec_end(&c->out);
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
	const char *in = "-", *why;
	struct cri c = { };
	char *doc = NULL;
	size_t doc_len = 0;
	int opt, fd = 0, ret;

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
		fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "crinspect: %s: %s\n", in, strerror(errno));
			return CRI_ERROR;
		}
	} else if (isatty(0)) {
		fprintf(stderr, "crinspect: refusing to read an image from a terminal\n");
		cri_usage(stderr);
		return CRI_ERROR;
	}
	cr_image_open_fd(&c.im, fd, CR_IMAGE_CHECK);

	/* JSON: the records go to memory, to follow "valid" in the document */
	c.out.json = json;
	if (!quiet) {
		c.out.f = json ? open_memstream(&doc, &doc_len) : stdout;
		if (!c.out.f)
			goto out_errno;
	}

	while ((ret = cr_image_next(&c.im)) == CR_IMAGE_REC)
		cri_print(&c);
	ret = ret == CR_IMAGE_END ? CRI_OK : ret == CR_IMAGE_BAD ? CRI_INVALID : CRI_ERROR;
	why = c.im.why;

	if (json && !quiet) {
		if (fclose(c.out.f)) {
			c.out.f = NULL;
			goto out_errno;
		}
		c.out.f = stdout;
		if (ret == CRI_ERROR)
			goto out;	/* no verdict on the image: no document */
		printf("{\"valid\": %s, \"records\": [%s%s]", ret ? "false" : "true", doc,
		       c.out.records ? "\n" : "");
		if (ret) {
			printf(", \"error\": {\"offset\": %llu, \"reason\": ",
			       (unsigned long long)c.im.why_off);
			cj_put_string(&c.out, why, strlen(why));
			putchar('}');
		}
		printf("}\n");
	}
	goto out;
out_errno:
	why = strerror(errno);
	ret = CRI_ERROR;
out:
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "crinspect: write error: %s\n", strerror(errno));
		ret = CRI_ERROR;
	} else if (ret == CRI_INVALID) {
		fprintf(stderr, "crinspect: offset %llu: %s\n", (unsigned long long)c.im.why_off,
			why);
	} else if (ret == CRI_ERROR) {
		fprintf(stderr, "crinspect: %s: %s\n", strcmp(in, "-") ? in : "stdin", why);
	}
	free(doc);
	cr_image_close(&c.im);
	if (fd > 0)
		close(fd);
	return ret;
}
