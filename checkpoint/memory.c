// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the address space - mm, vma and page records, both directions.
 *
 * Checkpoint snapshots the vma list under mmap_lock, then writes the pages
 * in chunks: a page-table walk finds the pages that exist (never-touched
 * anonymous pages, the zero page and unmodified file pages are skipped),
 * GUP pins them, and they are written without mmap_lock held (the file
 * system may take locks that nest outside it), as core dumps do.
 *
 * Restart reads the mm and all vma records and opens every mapped file
 * before its point of no return; then it unmaps the caller's address
 * space and maps the image's (the mm section), and fills in the pages
 * (the page stream, cr_restore_pages()).
 *
 * Pages a child still shares copy-on-write with its parent since a fork()
 * are saved once: its mapping is marked inherited, and those pages are
 * the parent's (CR_PAGES_F_PARENT, found by comparing the pages both map
 * at one address).  Restart reads the parent's pages before it makes its
 * children; a child keeps the parent's copy of such a mapping, drops
 * what it never had and writes its own pages over the rest.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/binfmts.h>
#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/memcontrol.h>
#include <linux/memfd.h>
#include <linux/mempolicy.h>
#include <linux/mm_inline.h>
#include <linux/mman.h>
#include <linux/membarrier.h>
#include <linux/pagewalk.h>
#include <linux/pkeys.h>
#include <linux/rmap.h>
#include <linux/secretmem.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/shm.h>
#include <linux/shm_segment.h>
#include <linux/ipc.h>
#include <uapi/linux/shm.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/vmalloc.h>

/* The membarrier(2) registrations of an mm, MEMBARRIER_CMD_REGISTER_*, and ours. */
static const struct {
	u32 flag;
	int cmd;
} cr_membarrier[] = {
	{ CR_MM_MEMBARRIER_GLOBAL, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED },
	{ CR_MM_MEMBARRIER_PRIVATE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED },
	{ CR_MM_MEMBARRIER_SYNC_CORE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE },
	{ CR_MM_MEMBARRIER_RSEQ, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ },
};

static u32 cr_membarrier_flags(int cmds)
{
	u32 i, flags = 0;

	for (i = 0; i < ARRAY_SIZE(cr_membarrier); i++)
		if (cmds & cr_membarrier[i].cmd)
			flags |= cr_membarrier[i].flag;
	return flags;
}

static int cr_membarrier_cmds(u32 flags)
{
	int i, cmds = 0;

	for (i = 0; i < ARRAY_SIZE(cr_membarrier); i++)
		if (flags & cr_membarrier[i].flag)
			cmds |= cr_membarrier[i].cmd;
	return cmds;
}

/* The registrations membarrier_register_mm() can make here. */
static int cr_membarrier_supported(void)
{
	if (!IS_ENABLED(CONFIG_MEMBARRIER))
		return 0;
	return MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |
	       MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED |
	       (IS_ENABLED(CONFIG_ARCH_HAS_MEMBARRIER_SYNC_CORE) ?
		MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE : 0) |
	       (IS_ENABLED(CONFIG_RSEQ) ? MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ : 0);
}

/* ------------------------------------------------------------------------ */
/* checkpoint                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A vma as checkpoint saw it under mmap_lock, or as restart staged it;
 * the file and the name are referenced.
 */
struct cr_vma_snap {
	struct cr_rec_vma rec;
	struct file *file;
	struct anon_vma_name *name;
	bool live;
};

static int cr_refuse_vma(struct cr_ctx *ctx, struct vm_area_struct *vma, const char *why)
{
	return cr_refuse(ctx, -EOPNOTSUPP, "vma %#lx-%#lx: %s: not supported",
			 vma->vm_start, vma->vm_end, why);
}

static int cr_vma_kind(struct cr_ctx *ctx, struct mm_struct *mm, struct vm_area_struct *vma,
		       u32 *kind)
{
	vm_flags_t f = vma->vm_flags;

	*kind = cr_arch_vma_kind(vma);
	if (*kind)
		return 0;
	if (f & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return cr_refuse_vma(ctx, vma, "device mapping");
	if (f & VM_HUGETLB)
		return cr_refuse_vma(ctx, vma, "hugetlb");
	if (vma_is_secretmem(vma))
		return cr_refuse_vma(ctx, vma, "secret memory (memfd_secret)");
	if (f & VM_LOCKED)
		return cr_refuse_vma(ctx, vma, "mlocked");
	if (f & VM_DROPPABLE)
		return cr_refuse_vma(ctx, vma, "droppable");
	if (f & VM_SHADOW_STACK)
		return cr_refuse_vma(ctx, vma, "shadow stack");
	if (vma_pkey(vma))
		return cr_refuse_vma(ctx, vma, "protection key");
#ifdef VM_SEALED
	if (f & VM_SEALED)
		return cr_refuse_vma(ctx, vma, "sealed");
#endif
	if (vma_is_anonymous(vma)) {
		if (f & VM_GROWSDOWN)
			*kind = CR_VMA_STACK;
		else if (mm->brk > mm->start_brk && vma->vm_start >= mm->start_brk &&
			 vma->vm_end <= PAGE_ALIGN(mm->brk))
			*kind = CR_VMA_HEAP;
		else
			*kind = CR_VMA_ANON_PRIVATE;
		return 0;
	}
	/*
	 * MAP_SHARED|MAP_ANONYMOUS is a kernel-internal shmem file; a memfd
	 * or an unlinked tmpfs file mapped looks the same but for that, and
	 * is a file mapping of a file object (cr_snap_vmas()).
	 */
	if (vma_is_anon_shmem(vma) && IS_PRIVATE(file_inode(vma->vm_file))) {
		*kind = CR_VMA_ANON_SHARED;
		return 0;
	}
	/*
	 * shmat(2): a kernel-internal shmem file too, through ipc/shm.c;
	 * VM_MAYSHARE, as a SHM_RDONLY attach has no VM_SHARED
	 */
	if (vma->vm_file && (f & VM_MAYSHARE) && shmem_mapping(vma->vm_file->f_mapping) &&
	    IS_PRIVATE(file_inode(vma->vm_file))) {
		*kind = CR_VMA_SYSV_SHM;
		return 0;
	}
	if (!vma->vm_file || !S_ISREG(file_inode(vma->vm_file)->i_mode))
		return cr_refuse_vma(ctx, vma, "special mapping");
	/* MAP_SHARED of a file opened read-only has VM_MAYSHARE alone */
	*kind = (f & VM_MAYSHARE) ? CR_VMA_FILE_SHARED : CR_VMA_FILE_PRIVATE;
	return 0;
}

static void cr_put_snap(struct cr_vma_snap *snap, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		if (snap[i].file)
			fput(snap[i].file);
		anon_vma_name_put(snap[i].name);
	}
	kvfree(snap);
}

/* The process that @p is a child of, in the tree; NULL for the root. */
static struct cr_proc *cr_parent_proc(struct cr_ctx *ctx, struct cr_proc *p)
{
	u32 parent = p->leader->rec.parent;

	return parent < ctx->nr_tasks ? ctx->tasks[parent].proc : NULL;
}

/*
 * Does fork() of the process with the @nr sorted @vmas give @v, a private
 * mapping of its child, as it is: the same mapping, copied?
 */
static bool cr_vma_inherits(const struct cr_vma_snap *v, const struct cr_vma_snap *vmas, u32 nr)
{
	const struct cr_vma_snap *pv;
	u32 lo = 0, hi = nr, mid;

	if (v->rec.flags & (CR_VMA_F_DONTFORK | CR_VMA_F_WIPEONFORK) ||
	    !cr_vma_kind_in(v->rec.kind, CR_VMA_PRIVATE))
		return false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (vmas[mid].rec.start < v->rec.start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr)
		return false;
	pv = &vmas[lo];
	return pv->rec.start == v->rec.start && pv->rec.end == v->rec.end &&
	       pv->rec.kind == v->rec.kind && pv->rec.prot == v->rec.prot &&
	       pv->rec.pgoff == v->rec.pgoff && pv->rec.objref == v->rec.objref &&
	       (pv->rec.flags | CR_VMA_F_INHERIT) == (v->rec.flags | CR_VMA_F_INHERIT) &&
	       !memcmp(&pv->rec.mempolicy, &v->rec.mempolicy, sizeof(v->rec.mempolicy)) &&
	       !pv->name == !v->name && (!v->name || !strcmp(pv->name->name, v->name->name)) &&
	       !pv->file == !v->file && (!v->file || file_inode(pv->file) == file_inode(v->file));
}

/*
 * Add @file, of @size bytes, to the shared memory objects of @ctx as the
 * next id: -EOPNOTSUPP past CR_SHM_MAX.  Takes a reference.
 */
static int cr_shm_add(struct cr_ctx *ctx, struct file *file, u64 size)
{
	struct cr_shm_obj *shm;

	if (ctx->nr_shm == CR_SHM_MAX)
		return -EOPNOTSUPP;
	if (!(ctx->nr_shm % 64)) {
		shm = krealloc_array(ctx->shm, ctx->nr_shm + 64, sizeof(*shm), GFP_KERNEL);
		if (!shm)
			return -ENOMEM;
		ctx->shm = shm;
	}
	ctx->shm[ctx->nr_shm++] = (struct cr_shm_obj){ .file = get_file(file), .size = size };
	return 0;
}

/*
 * The id of the shared memory object behind the shared anonymous mapping
 * @file, numbered the first time the tree maps it; 0 and an errno in @ret
 * if it cannot be.
 */
static u32 cr_shm_id(struct cr_ctx *ctx, struct file *file, int *ret)
{
	u32 i;

	for (i = 0; i < ctx->nr_shm; i++)
		if (file_inode(ctx->shm[i].file) == file_inode(file))
			return i + 1;
	*ret = cr_shm_add(ctx, file, PAGE_ALIGN(i_size_read(file_inode(file))) ?: PAGE_SIZE);
	return *ret ? 0 : ctx->nr_shm;
}

/*
 * The NUMA policy of @vma (mbind(2)) into its record, under mmap_lock;
 * -EOPNOTSUPP for one restart could not set again.  A policy of shared
 * memory (shmem's, set through any of its mappings, even a private one) is
 * the object's and may cover what no mapping maps: refused.
 */
static int cr_snap_vma_policy(struct cr_ctx *ctx, struct vm_area_struct *vma,
			      struct cr_rec_vma *r)
{
#ifdef CONFIG_NUMA
	const char *why = cr_mempolicy_rec(vma_policy(vma), &r->mempolicy);

	if (!why && r->mempolicy.mode != CR_MPOL_DEFAULT &&
	    (r->kind == CR_VMA_VDSO || r->kind == CR_VMA_VVAR))
		why = "a memory policy on the vDSO";
	if (!why && vma->vm_file && shmem_mapping(vma->vm_file->f_mapping)) {
		struct shared_policy *sp = &SHMEM_I(file_inode(vma->vm_file))->policy;

		read_lock(&sp->lock);
		if (!RB_EMPTY_ROOT(&sp->root))
			why = "a memory policy of shared memory (mbind(2) on tmpfs or shmem)";
		read_unlock(&sp->lock);
	}
	if (why)
		return cr_refuse_vma(ctx, vma, why);
#endif
	return 0;
}

/* The name of an anonymous @vma, referenced in @snap, under mmap_lock. */
static int cr_snap_vma_name(struct cr_ctx *ctx, struct vm_area_struct *vma,
			    struct cr_vma_snap *snap)
{
	struct anon_vma_name *name = anon_vma_name(vma);

	if (!name)
		return 0;
	/* PR_SET_VMA_ANON_NAME names the vDSO too: restart could not */
	if (!cr_vma_kind_in(snap->rec.kind, CR_VMA_ANON))
		return cr_refuse_vma(ctx, vma, "a name on a special mapping");
	anon_vma_name_get(name);
	snap->name = name;
	snap->rec.name_len = strlen(name->name) + 1;
	return 0;
}

/*
 * The SysV segment @vma attaches, under mmap_lock: its shared memory object
 * and, the first time, its record.  -EOPNOTSUPP for what restart could not
 * attach again as it is.
 */
static int cr_snap_sysv(struct cr_ctx *ctx, struct task_struct *t, struct vm_area_struct *vma,
			struct cr_rec_vma *r)
{
#ifdef CONFIG_SYSVIPC
	struct cr_rec_sysv_shm *rec;
	struct ipc_namespace *ns;
	struct shm_segment seg;
	u32 nr = ctx->nr_shm;
	int ret;

	if (shm_file_segment(vma->vm_file, &seg))
		return cr_refuse_vma(ctx, vma, "special mapping");
	fput(seg.file);
	task_lock(t);
	ns = t->nsproxy ? t->nsproxy->ipc_ns : NULL;
	task_unlock(t);
	if (seg.ns != ns)
		return cr_refuse_vma(ctx, vma, "a SysV segment of another IPC namespace");
	if (seg.locked)
		return cr_refuse_vma(ctx, vma, "a SysV segment locked in memory (SHM_LOCK)");
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_ALIGN(seg.size) ||
	    !(vma->vm_flags & VM_READ))
		return cr_refuse_vma(ctx, vma, "a SysV segment mapped in part, or not readable");
	r->shm = cr_shm_id(ctx, vma->vm_file, &ret);
	if (ret == -EOPNOTSUPP)
		ret = cr_refuse_vma(ctx, vma, "too many shared memory objects");
	if (ret)
		return ret;
	r->shm_size = ctx->shm[r->shm - 1].size;
	if (ctx->nr_shm == nr)
		return 0;	/* its record is there */
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->shm = r->shm;
	rec->id = seg.id;
	rec->key = seg.key;
	rec->mode = seg.mode;
	rec->flags = seg.removed ? CR_SYSV_SHM_REMOVED : 0;
	rec->size = seg.size;
	ctx->shm[r->shm - 1].sysv = rec;
	return 0;
#else
	return cr_refuse_vma(ctx, vma, "special mapping");
#endif
}

/* Copy the vma list of @p; returns the number of vmas or a negative errno. */
static int cr_snap_vmas(struct cr_ctx *ctx, struct cr_proc *p, struct cr_vma_snap **snapp)
{
	VMA_ITERATOR(vmi, p->mm, 0);
	struct mm_struct *mm = p->mm;
	struct vm_area_struct *vma;
	struct cr_vma_snap *snap;
	int n = 0, i, ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	snap = kvcalloc(mm->map_count, sizeof(*snap), GFP_KERNEL);
	ret = -ENOMEM;
	if (!snap)
		goto out;
	ret = 0;
	for_each_vma(vmi, vma) {
		struct cr_rec_vma *r = &snap[n].rec;
		vm_flags_t f = vma->vm_flags;

		if (n == mm->map_count) {
			ret = -EAGAIN;
			break;
		}
		ret = cr_vma_kind(ctx, mm, vma, &r->kind);
		if (ret)
			break;
		r->start = vma->vm_start;
		r->end = vma->vm_end;
		r->prot = (f & VM_READ ? PROT_READ : 0) | (f & VM_WRITE ? PROT_WRITE : 0) |
			  (f & VM_EXEC ? PROT_EXEC : 0);
		r->flags = (f & VM_GROWSDOWN ? CR_VMA_F_GROWSDOWN : 0) |
			   (f & VM_WIPEONFORK ? CR_VMA_F_WIPEONFORK : 0) |
			   (f & VM_RAND_READ ? CR_VMA_F_RANDOM : 0) |
			   (f & VM_SEQ_READ ? CR_VMA_F_SEQUENTIAL : 0) |
			   (f & VM_DONTCOPY ? CR_VMA_F_DONTFORK : 0) |
			   (f & VM_DONTDUMP ? CR_VMA_F_DONTDUMP : 0) |
			   (f & VM_NORESERVE ? CR_VMA_F_NORESERVE : 0) |
			   (f & VM_HUGEPAGE ? CR_VMA_F_HUGEPAGE : 0) |
			   (f & VM_NOHUGEPAGE ? CR_VMA_F_NOHUGEPAGE : 0) |
			   (f & VM_MERGEABLE ? CR_VMA_F_MERGEABLE : 0);
		ret = cr_snap_vma_policy(ctx, vma, r);
		if (ret)
			break;
		if (cr_vma_kind_in(r->kind, CR_VMA_FILE)) {
			r->pgoff = vma->vm_pgoff;
			if (r->kind == CR_VMA_FILE_SHARED && (f & VM_MAYWRITE))
				r->flags |= CR_VMA_F_MAYWRITE;
			snap[n].file = get_file(vma->vm_file);
		} else if (r->kind == CR_VMA_ANON_SHARED) {
			/* its pages are read from its shmem file */
			r->shm = cr_shm_id(ctx, vma->vm_file, &ret);
			if (ret == -EOPNOTSUPP)
				ret = cr_refuse_vma(ctx, vma, "too many shared memory objects");
			if (ret)
				break;
			r->shm_size = ctx->shm[r->shm - 1].size;
			r->pgoff = vma->vm_pgoff;
			snap[n].file = get_file(vma->vm_file);
		} else if (r->kind == CR_VMA_SYSV_SHM) {
			ret = cr_snap_sysv(ctx, p->leader->task, vma, r);
			if (ret)
				break;
			snap[n].file = get_file(vma->vm_file);
		}
		/* counted first: cr_put_snap() puts its file */
		ret = cr_snap_vma_name(ctx, vma, &snap[n++]);
		if (ret)
			break;
	}
out:
	mmap_read_unlock(mm);
	/* no path to map it by: a file object, its bytes with its file record */
	for (i = 0; !ret && i < n; i++) {
		struct cr_rec_vma *r = &snap[i].rec;
		long seals;

		if (!cr_vma_kind_in(r->kind, CR_VMA_FILE) || !cr_file_unnamed(snap[i].file))
			continue;
		/* restart seals the memfd before it maps it, as mmap() then refuses */
		seals = memfd_fcntl(snap[i].file, F_GET_SEALS, 0);
		if (r->kind == CR_VMA_FILE_SHARED && (r->prot & PROT_WRITE) && seals > 0 &&
		    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"vma %#llx-%#llx: writable, of a memfd sealed against writes",
					r->start, r->end);
		else
			ret = cr_files_map_obj(ctx, snap[i].file, &r->objref);
	}
	if (ret) {
		if (snap)
			cr_put_snap(snap, n);
		return ret;
	}
	*snapp = snap;
	return n;
}

/*
 * Write a record made of a fixed struct followed by the path of @file (if
 * any), then @tail_len bytes of @tail; @path_len points into the struct and
 * is filled in.
 */
static int cr_write_with_path(struct cr_ctx *ctx, u32 type, const void *rec, u32 size,
			      u32 *path_len, struct file *file, const char *tail, u32 tail_len)
{
	char *buf, *path = NULL;
	u32 len = 0;
	int ret;

	buf = kmalloc(size + PATH_MAX + tail_len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (file) {
		path = file_path(file, buf + size, PATH_MAX);
		if (IS_ERR(path)) {
			ret = PTR_ERR(path);
			goto out;
		}
		/* restart maps it by its path: SysV shm, say, cannot be */
		if (!cr_reachable(file, path)) {
			ret = cr_refuse(ctx, -EOPNOTSUPP, "%s: cannot be reopened by its path",
					path);
			goto out;
		}
		len = strlen(path) + 1;
		memmove(buf + size, path, len);
	}
	*path_len = len;
	memcpy(buf, rec, size);
	memcpy(buf + size + len, tail, tail_len);
	ret = cr_write_rec(ctx, type, buf, size + len + tail_len);
out:
	kfree(buf);
	return ret;
}

static int cr_write_mm_rec(struct cr_ctx *ctx, struct mm_struct *mm, u32 nr_vmas)
{
	struct file *exe;
	struct cr_rec_mm *r;
	int ret;

	BUILD_BUG_ON(AT_VECTOR_SIZE > CR_AUXV_WORDS);
	if (mm->def_flags & VM_LOCKED)
		return cr_refuse(ctx, -EOPNOTSUPP, "mlockall(MCL_FUTURE) in force");
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out;
	r->start_code = mm->start_code;
	r->end_code = mm->end_code;
	r->start_data = mm->start_data;
	r->end_data = mm->end_data;
	r->start_brk = mm->start_brk;
	r->brk = mm->brk;
	r->start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	r->arg_start = mm->arg_start;
	r->arg_end = mm->arg_end;
	r->env_start = mm->env_start;
	r->env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	r->vdso = cr_arch_mm_vdso(mm);
	mmap_read_unlock(mm);
	memcpy(r->auxv, mm->saved_auxv, sizeof(mm->saved_auxv));
	r->nr_vmas = nr_vmas;
	/* dumpable by root only (suid_dumpable=2) is kept from everyone */
	r->dumpable = get_dumpable(mm) == SUID_DUMP_USER;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		r->mm_flags |= CR_MM_THP_DISABLE;
	if (test_bit(MMF_HAS_MDWE, &mm->flags))
		r->mm_flags |= CR_MM_MDWE;
	if (test_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags))
		r->mm_flags |= CR_MM_MDWE_NO_INHERIT;
	r->mm_flags |= cr_membarrier_flags(membarrier_mm_registrations(mm));
	if (test_bit(MMF_VM_MERGE_ANY, &mm->flags))
		r->mm_flags |= CR_MM_MERGE_ANY;

	/* deleted or out of reach (fexecve() of a memfd): restart keeps its own */
	exe = get_mm_exe_file(mm);
	if (exe && d_unlinked(exe->f_path.dentry)) {
		fput(exe);
		exe = NULL;
	}
	if (exe) {
		char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
		char *p = buf ? file_path(exe, buf, PATH_MAX) : ERR_PTR(-ENOMEM);

		if (IS_ERR(p) || !cr_reachable(exe, p)) {
			fput(exe);
			exe = NULL;
		}
		kfree(buf);
	}
	ret = cr_write_with_path(ctx, CR_REC_MM, r, sizeof(*r), &r->exe_len, exe, NULL, 0);
	if (exe)
		fput(exe);
out:
	kfree(r);
	return ret;
}

struct cr_page_walk {
	unsigned long *addrs;
	unsigned int nr;
	bool anon_only;
	unsigned long next;
};

/*
 * A transparent huge page: its pages recorded here, under the pmd lock, as
 * cr_pte_entry() records small ones (the walker would split it to reach
 * that); GUP pins them one by one, and restart writes them as small pages.
 * The huge zero page, or a file's huge page in a private mapping, is no
 * saved page.
 */
static int cr_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long next,
			struct mm_walk *walk)
{
	struct cr_page_walk *w = walk->private;
	pmd_t pmdv = pmdp_get_lockless(pmd);
	spinlock_t *ptl;	/* the pmd's */
	int ret = 0;

	if (!pmd_trans_huge(pmdv) && !is_pmd_migration_entry(pmdv))
		return 0;
	ptl = pmd_lock(walk->mm, pmd);
	pmdv = pmdp_get(pmd);
	if (!pmd_trans_huge(pmdv) && !is_pmd_migration_entry(pmdv))
		goto out;	/* split meanwhile: its ptes are walked */
	walk->action = ACTION_CONTINUE;
	if (pmd_trans_huge(pmdv) &&
	    (is_huge_zero_pmd(pmdv) || (w->anon_only && !PageAnon(pmd_page(pmdv)))))
		goto out;
	/* else mapped, or migrating: GUP waits for it */
	for (; addr < next; addr += PAGE_SIZE) {
		w->addrs[w->nr++] = addr;
		if (w->nr == CR_PAGES_MAX) {
			w->next = addr + PAGE_SIZE;
			ret = 1;
			break;
		}
	}
out:
	spin_unlock(ptl);
	return ret;
}

/* Runs under the pte lock: only records addresses. */
static int cr_pte_entry(pte_t *ptep, unsigned long addr, unsigned long next,
			struct mm_walk *walk)
{
	struct cr_page_walk *w = walk->private;
	pte_t pte = ptep_get(ptep);

	if (pte_none(pte))
		return 0;
	if (pte_present(pte)) {
		struct page *page = vm_normal_page(walk->vma, addr, pte);

		/* the zero page, or a file page never written here */
		if (!page || (w->anon_only && !PageAnon(page)))
			return 0;
	}
	/* else swapped out or migrating: GUP brings it back */
	w->addrs[w->nr++] = addr;
	if (w->nr < CR_PAGES_MAX)
		return 0;
	w->next = addr + PAGE_SIZE;
	return 1;
}

static const struct mm_walk_ops cr_walk_ops = {
	.pmd_entry = cr_pmd_entry,
	.pte_entry = cr_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

static void cr_put_pages(struct cr_ctx *ctx, unsigned int nr)
{
	while (nr)
		put_page(ctx->pages[--nr]);
}

/*
 * Find and pin the next chunk of saved pages of @snap from *@addr on.
 * Returns the number pinned (0: none left) and moves *@addr past them.
 */
/*
 * The same for shared anonymous memory, from its shmem file: the pages
 * another process (a child sharing it) wrote are in the file, not always
 * in this process's page tables.  Holes are skipped, swapped pages read.
 * Each page is a copy: a process outside the tree may write the memory
 * while the image is written, and the bytes summed must be those written.
 */
static int cr_pin_shmem_chunk(struct cr_ctx *ctx, const struct cr_vma_snap *snap,
			      unsigned long *addr, unsigned long *addrs)
{
	struct inode *inode = file_inode(snap->file);
	unsigned int nr = 0;
	int ret;

	for (; *addr < snap->rec.end && nr < CR_PAGES_MAX; *addr += PAGE_SIZE) {
		pgoff_t index = snap->rec.pgoff + ((*addr - snap->rec.start) >> PAGE_SHIFT);
		struct folio *folio;

		if (index << PAGE_SHIFT >= i_size_read(inode))
			break;
		ret = shmem_get_folio(inode, index, 0, &folio, SGP_READ);
		if (ret) {
			cr_put_pages(ctx, nr);
			return ret;
		}
		if (!folio)
			continue;	/* a hole: never written */
		ctx->pages[nr] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (ctx->pages[nr])
			copy_highpage(ctx->pages[nr], folio_file_page(folio, index));
		folio_unlock(folio);
		folio_put(folio);
		if (!ctx->pages[nr]) {
			cr_put_pages(ctx, nr);
			return -ENOMEM;
		}
		addrs[nr++] = *addr;
		cond_resched();
	}
	if (*addr < snap->rec.end && nr < CR_PAGES_MAX)
		*addr = snap->rec.end;
	return nr;
}

static int cr_pin_chunk(struct cr_ctx *ctx, struct mm_struct *mm,
			const struct cr_vma_snap *snap, unsigned long *addr,
			unsigned long *addrs)
{
	struct cr_page_walk w = {
		.addrs = addrs,
		.anon_only = snap->rec.kind == CR_VMA_FILE_PRIVATE,
		.next = snap->rec.end,
	};
	struct vm_area_struct *vma;
	unsigned int i, run;
	int ret;

	if (cr_vma_kind_in(snap->rec.kind, CR_VMA_SHM))
		return cr_pin_shmem_chunk(ctx, snap, addr, addrs);
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = find_vma(mm, *addr);
	if (!vma || vma->vm_start != snap->rec.start || vma->vm_end != snap->rec.end) {
		ret = -EAGAIN;	/* the address space changed under us */
		goto out;
	}
	ret = walk_page_range(mm, *addr, snap->rec.end, &cr_walk_ops, &w);
	if (ret < 0)
		goto out;
	for (i = 0; i < w.nr; i += run) {
		long got;

		for (run = 1; i + run < w.nr; run++)
			if (addrs[i + run] != addrs[i] + run * PAGE_SIZE)
				break;
		got = get_user_pages_remote(mm, addrs[i], run, FOLL_FORCE,
					    ctx->pages + i, NULL);
		if (got != run) {
			if (got > 0)
				cr_put_pages(ctx, i + got);
			else
				cr_put_pages(ctx, i);
			ret = got < 0 ? got : -EAGAIN;
			goto out;
		}
	}
	*addr = w.next;
	ret = w.nr;
out:
	mmap_read_unlock(mm);
	return ret;
}

struct cr_kept_walk {
	const unsigned long *addrs;
	struct page **pages;
	unsigned long *kept;
	unsigned int nr;
	unsigned int i;
};

static int cr_kept_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long next,
			     struct mm_walk *walk)
{
	/* not split for us: a huge page of the parent is no page of the chunk */
	if (pmd_trans_huge(pmdp_get_lockless(pmd)))
		walk->action = ACTION_CONTINUE;
	return 0;
}

/* Runs under the parent's pte lock. */
static int cr_kept_pte_entry(pte_t *ptep, unsigned long addr, unsigned long next,
			     struct mm_walk *walk)
{
	struct cr_kept_walk *w = walk->private;
	pte_t pte = ptep_get(ptep);

	while (w->i < w->nr && w->addrs[w->i] < addr)
		w->i++;
	if (w->i == w->nr)
		return 1;
	if (w->addrs[w->i] == addr && pte_present(pte) &&
	    vm_normal_page(walk->vma, addr, pte) == w->pages[w->i])
		__set_bit(w->i, w->kept);
	return 0;
}

static const struct mm_walk_ops cr_kept_walk_ops = {
	.pmd_entry = cr_kept_pmd_entry,
	.pte_entry = cr_kept_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

/*
 * Mark in @kept the pinned pages of the chunk at @addrs that @pmm, the
 * parent's address space, maps at the same addresses: the very pages,
 * shared copy-on-write since a fork(), saved once with the parent's.
 * Our references keep the child's pages from being freed and reused
 * meanwhile; nothing of the parent is faulted in or split.
 */
static int cr_find_kept(struct cr_ctx *ctx, struct mm_struct *pmm, const unsigned long *addrs,
			unsigned int nr, unsigned long *kept)
{
	struct cr_kept_walk w = {
		.addrs = addrs,
		.pages = ctx->pages,
		.kept = kept,
		.nr = nr,
	};
	int ret;

	ret = mmap_read_lock_killable(pmm);
	if (ret)
		return ret;
	ret = walk_page_range(pmm, addrs[0], addrs[nr - 1] + PAGE_SIZE, &cr_kept_walk_ops, &w);
	mmap_read_unlock(pmm);
	return ret < 0 ? ret : 0;
}

/* One pages record with the @nr addresses at @addrs; its data unless @parent. */
static int cr_write_pages_rec(struct cr_ctx *ctx, struct cr_rec_pages *rec,
			      const unsigned long *addrs, unsigned int nr, bool parent)
{
	int ret;

	if (!nr)
		return 0;
	rec->nr = nr;
	rec->flags = parent ? CR_PAGES_F_PARENT : 0;
	memcpy(rec + 1, addrs, nr * sizeof(u64));
	ret = cr_write_rec(ctx, CR_REC_PAGES, rec, sizeof(*rec) + nr * sizeof(u64));
	if (!ret && !parent)
		ret = cr_write_page_data(ctx, ctx->pages, nr);
	return ret;
}

/*
 * The pages of one vma, by chunks.  In a mapping the process inherits,
 * a chunk is a record of the pages it still shares with its parent, with
 * no data, then one of the pages of its own: their page data follows
 * aligned once, whatever the pattern.  @addrs has room for two chunks.
 */
static int cr_write_vma_pages(struct cr_ctx *ctx, struct cr_proc *p,
			      const struct cr_vma_snap *snap, struct cr_rec_pages *rec,
			      unsigned long *addrs)
{
	struct cr_proc *pp = snap->rec.flags & CR_VMA_F_INHERIT ? cr_parent_proc(ctx, p) : NULL;
	unsigned long addr = snap->rec.start, *kept_addrs = addrs + CR_PAGES_MAX;
	DECLARE_BITMAP(kept, CR_PAGES_MAX);
	unsigned int i, own, nr_kept;
	int nr, ret = 0;

	BUILD_BUG_ON(sizeof(unsigned long) != sizeof(__u64));
	while (addr < snap->rec.end) {
		nr = cr_pin_chunk(ctx, p->mm, snap, &addr, addrs);
		if (nr <= 0)
			return nr;
		bitmap_zero(kept, CR_PAGES_MAX);
		if (pp)
			ret = cr_find_kept(ctx, pp->mm, addrs, nr, kept);
		/* the parent's pages apart, the own ones to the front */
		for (i = own = nr_kept = 0; !ret && i < nr; i++) {
			if (test_bit(i, kept)) {
				kept_addrs[nr_kept++] = addrs[i];
				continue;
			}
			swap(ctx->pages[own], ctx->pages[i]);
			addrs[own++] = addrs[i];
		}
		if (!ret)
			ret = cr_write_pages_rec(ctx, rec, kept_addrs, nr_kept, true);
		if (!ret)
			ret = cr_write_pages_rec(ctx, rec, addrs, own, false);
		cr_put_pages(ctx, nr);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The mm record and the vma records of @t's process; the vma list stays in
 * its struct cr_proc for cr_write_pages().  -EOPNOTSUPP for a mapping cr
 * cannot restore (the kernel log says which); -EAGAIN if the address
 * space changed.
 */
static int cr_write_mm(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_proc *p = t->proc, *pp = cr_parent_proc(ctx, p);
	struct cr_vma_snap *snap;
	int i, n, ret;

	n = cr_snap_vmas(ctx, p, &snap);
	if (n < 0)
		return n;
	p->snap = snap;
	p->nr_snap = n;
	/* its parent's mm section came first */
	for (i = 0; pp && i < n; i++)
		if (cr_vma_inherits(&snap[i], pp->snap, pp->nr_snap))
			snap[i].rec.flags |= CR_VMA_F_INHERIT;
	ret = cr_write_mm_rec(ctx, p->mm, n);
	for (i = 0; !ret && i < n; i++) {
		struct cr_shm_obj *o = snap[i].rec.shm ? &ctx->shm[snap[i].rec.shm - 1] : NULL;

		ret = cr_write_with_path(ctx, CR_REC_VMA, &snap[i].rec, sizeof(snap[i].rec),
					 &snap[i].rec.path_len,
					 cr_vma_kind_in(snap[i].rec.kind, CR_VMA_FILE) &&
					 !snap[i].rec.objref ? snap[i].file : NULL,
					 snap[i].name ? snap[i].name->name : NULL,
					 snap[i].rec.name_len);
		/* a segment's record after the vma record that first maps it */
		if (!ret && o && o->sysv) {
			ret = cr_write_rec(ctx, CR_REC_SYSV_SHM, o->sysv, sizeof(*o->sysv));
			kfree(o->sysv);
			o->sysv = NULL;
		}
	}
	return ret;
}

/**
 * cr_write_pages() - write a process's part of the page stream: the pages
 * of the vmas its mm section listed
 * @ctx: checkpoint context, after every section
 * @p: the process
 *
 * Context: may sleep; takes the process's mmap_lock for reading around
 * each chunk's page-table walk and GUP, never across a write.
 * Return: 0; -EAGAIN if the address space changed during the dump;
 * -ENOMEM; or the error of writing.
 */
int cr_write_pages(struct cr_ctx *ctx, struct cr_proc *p)
{
	struct cr_rec_pages *pages;
	unsigned long *addrs;
	int i, ret = -ENOMEM;

	pages = kzalloc(sizeof(*pages) + CR_PAGES_MAX * sizeof(u64), GFP_KERNEL);
	addrs = kcalloc(2 * CR_PAGES_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!ctx->pages)
		ctx->pages = kcalloc(CR_PAGES_MAX, sizeof(*ctx->pages), GFP_KERNEL);
	if (!ctx->bvec)
		ctx->bvec = kcalloc(CR_PAGES_MAX, sizeof(*ctx->bvec), GFP_KERNEL);
	if (!pages || !addrs || !ctx->pages || !ctx->bvec)
		goto out;
	pages->proc = p->idx;
	ret = 0;
	for (i = 0; !ret && i < p->nr_snap; i++)
		if (cr_vma_kind_in(p->snap[i].rec.kind, CR_VMA_CONTENT))
			ret = cr_write_vma_pages(ctx, p, &p->snap[i], pages, addrs);
out:
	kfree(addrs);
	kfree(pages);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* restart                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * struct cr_mm_state - the address space restart stages
 * @rec: the mm record
 * @exe: the executable, opened, with writes denied
 * @vmas: the vma records, their files opened
 * @nr: number of @vmas
 * @mdwe: the restarter runs under PR_SET_MDWE: no executable content
 * @cur: pages: the vma the last page went to
 * @next_addr: pages: the lowest address the next page may have
 * @parent_low: pages: the lowest address the record before could have, if
 *	it had the parent's pages (CR_PAGES_F_PARENT), else 0
 * @after_parent: pages: the record before had the parent's pages
 * @zap_cur: pages: the vma cr_zap_to() looks at first
 * @zap_next: pages: where inherited mappings are not yet as the image has them
 * @addrs: pages: the addresses of the current chunk
 * @folios: pages: new folios for a run of it (cr_fill_run())
 * @bv: pages: the bio_vecs the image is read into them through
 */
struct cr_mm_state {
	struct cr_rec_mm rec;
	struct file *exe;
	struct cr_vma_snap *vmas;
	u32 nr;
	bool mdwe;
	u32 cur;
	u64 next_addr;
	u64 parent_low;
	bool after_parent;
	u32 zap_cur;
	u64 zap_next;
	u64 addrs[CR_PAGES_MAX];
	struct folio *folios[CR_PAGES_MAX];
	struct bio_vec bv[CR_PAGES_MAX];
};

/*
 * Open a file the image maps or runs, as the caller.  @exec: mapped with
 * PROT_EXEC (the mount must allow it, as mmap() checks); @run: the
 * executable itself (the caller must be allowed to execute it).
 */
static struct file *cr_open_path(struct cr_ctx *ctx, const char *path, int flags, bool exec,
				 bool run)
{
	struct file *file = cr_open_kind(path, flags, S_IFREG);

	if (IS_ERR(file)) {
		cr_reject(ctx, PTR_ERR(file), "cannot open %s%s", path,
			  PTR_ERR(file) == -ESTALE ? ": not a regular file" : "");
		return file;
	}
	if (((exec || run) && path_noexec(&file->f_path)) ||
	    (run && file_permission(file, MAY_EXEC))) {
		cr_reject(ctx, -EACCES, "%s may not be executed", path);
		fput(file);
		return ERR_PTR(-EACCES);
	}
	return file;
}

/*
 * The shared memory object of a shared anonymous mapping: made for its
 * first mapping in the tree (as mmap() makes one, "/dev/zero (deleted)"),
 * taken again for the next.  Objects are numbered in the order they first
 * appear; each keeps the size it first had.
 */
#ifdef CONFIG_SYSVIPC
/* shmat(2)'s flags for the protection of @v. */
static int cr_shmat_flags(const struct cr_rec_vma *v)
{
	return (v->prot & PROT_WRITE ? 0 : SHM_RDONLY) | (v->prot & PROT_EXEC ? SHM_EXEC : 0);
}

/*
 * The segment of a SysV vma record that maps it first, whose record comes
 * next: the segment of the restarter's IPC namespace with its id, if it
 * has its key and size (attached as it is: its contents are its own, as a
 * shared file's are); else one made with its id, key, size and mode (to
 * choose the id takes CAP_CHECKPOINT_RESTORE: EPERM), which the image's
 * pages fill.  Checked as shmat(2) would check the attach (EACCES).
 * EBUSY if its id is another segment's, EEXIST if its key is.  Fills @o
 * but for its file, which it returns.
 */
static struct file *cr_stage_sysv(struct cr_ctx *ctx, const struct cr_rec_vma *v,
				  struct cr_shm_obj *o)
{
	struct cr_rec_sysv_shm *r;
	struct shm_segment seg;
	const char *why;
	int ret;

	r = cr_read_obj(ctx, CR_REC_SYSV_SHM, NULL);
	if (IS_ERR(r))
		return ERR_CAST(r);
	o->sysv = r;
	/* the tree's IPC namespace, made again, had no segment (CR_TREE_IPCNS) */
	if (ctx->flags & CR_RESTART_IPCNS)
		return ERR_PTR(cr_reject(ctx, -EBADMSG,
					 "a SysV segment of an IPC namespace that had none"));
	why = cr_check_sysv_shm(r, v, &ctx->limits);
	if (why)
		return ERR_PTR(cr_reject(ctx, -EBADMSG, "SysV segment record: %s", why));
	ret = shm_id_segment(r->id, cr_shmat_flags(v), &seg);
	if (!ret) {
		if (!(r->flags & CR_SYSV_SHM_REMOVED) && !seg.removed && seg.key == r->key &&
		    seg.size == r->size && !seg.hugetlb) {
			o->live = true;
			return seg.file;
		}
		fput(seg.file);
		return ERR_PTR(cr_reject(ctx, -EBUSY, "SysV segment %d: its id is another's",
					 r->id));
	}
	if (ret != -EINVAL)
		return ERR_PTR(cr_reject(ctx, ret, "SysV segment %d: may not attach it", r->id));
	if (!checkpoint_restore_ns_capable(current->nsproxy->ipc_ns->user_ns))
		return ERR_PTR(cr_reject(ctx, -EPERM,
					 "SysV segment %d: to make it with its id needs CAP_CHECKPOINT_RESTORE",
					 r->id));
	ret = shm_make_segment(r->flags & CR_SYSV_SHM_REMOVED ? IPC_PRIVATE : r->key, r->size,
			       r->mode | (v->flags & CR_VMA_F_NORESERVE ? SHM_NORESERVE : 0),
			       r->id);
	if (ret < 0)
		return ERR_PTR(cr_reject(ctx, ret, "SysV segment %d (key %#x): cannot make it",
					 r->id, r->key));
	o->made = true;
	pr_debug("restart: made SysV segment %d, key %#x, %llu bytes\n", r->id, r->key, r->size);
	ret = shm_id_segment(r->id, cr_shmat_flags(v), &seg);
	if (ret)
		return ERR_PTR(cr_reject(ctx, ret, "SysV segment %d: may not attach it", r->id));
	return seg.file;
}

/* May current attach segment @id as a later mapping @v has it?  As shmat(2) would check. */
static int cr_check_shmat(struct cr_ctx *ctx, const struct cr_rec_vma *v, int id)
{
	struct shm_segment seg;
	int ret = shm_id_segment(id, cr_shmat_flags(v), &seg);

	if (ret)
		return cr_reject(ctx, ret, "SysV segment %d: may not attach it", id);
	fput(seg.file);
	return 0;
}
#else
static struct file *cr_stage_sysv(struct cr_ctx *ctx, const struct cr_rec_vma *v,
				  struct cr_shm_obj *o)
{
	return ERR_PTR(cr_reject(ctx, -EOPNOTSUPP, "a SysV segment, on a kernel without SysV IPC"));
}

static int cr_check_shmat(struct cr_ctx *ctx, const struct cr_rec_vma *v, int id)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * The shared memory object of a vma record of a shared kind, made (or, for a
 * SysV segment, found) where its first mapping comes.
 */
static int cr_stage_shm(struct cr_ctx *ctx, struct cr_vma_snap *vs)
{
	const struct cr_rec_vma *v = &vs->rec;
	bool sysv = v->kind == CR_VMA_SYSV_SHM, first = v->shm == ctx->nr_shm + 1;
	struct cr_shm_obj o = {};
	struct file *file;
	int ret;

	if (v->shm > ctx->nr_shm + 1)
		return cr_reject(ctx, -EBADMSG, "shared memory object %u before %u", v->shm,
				 ctx->nr_shm + 1);
	if (first) {
		if (sysv)
			file = cr_stage_sysv(ctx, v, &o);
		else
			file = shmem_kernel_file_setup("dev/zero", v->shm_size,
						       v->flags & CR_VMA_F_NORESERVE ?
						       VM_NORESERVE : 0);
		ret = PTR_ERR_OR_ZERO(file);
		/* the table's reference, or none */
		if (!ret)
			ret = cr_shm_add(ctx, file, v->shm_size);
		if (!IS_ERR(file))
			fput(file);
		if (ret) {
			if (o.made)
				shm_remove_segment(o.sysv->id);
			kvfree(o.sysv);
			return ret == -EBADMSG || sysv ? ret :
			       cr_reject(ctx, ret, "cannot make shared memory object %u", v->shm);
		}
		ctx->shm[v->shm - 1].sysv = o.sysv;
		ctx->shm[v->shm - 1].live = o.live;
		ctx->shm[v->shm - 1].made = o.made;
	}
	if (ctx->shm[v->shm - 1].size != v->shm_size ||
	    !ctx->shm[v->shm - 1].sysv == sysv)
		return cr_reject(ctx, -EBADMSG, "shared memory object %u: another size or kind",
				 v->shm);
	/* each attach of a segment, not its first only, before the point of no return */
	if (sysv && !first) {
		ret = cr_check_shmat(ctx, v, ctx->shm[v->shm - 1].sysv->id);
		if (ret)
			return ret;
	}
	vs->file = get_file(ctx->shm[v->shm - 1].file);
	vs->live = ctx->shm[v->shm - 1].live;
	return 0;
}

/**
 * cr_unmake_shm() - remove the SysV segments a failed restart made
 * @ctx: restart context
 *
 * Context: the restarter, in its IPC namespace; may sleep.
 */
void cr_unmake_shm(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; ctx->shm && i < ctx->nr_shm; i++) {
		if (!ctx->shm[i].made || ctx->shm[i].removed)
			continue;
		ctx->shm[i].removed = true;
		shm_remove_segment(ctx->shm[i].sysv->id);
	}
}

/* Read, check and open one vma record; @prev_end: where the one before ends. */
static int cr_read_vma(struct cr_ctx *ctx, struct cr_mm_state *ms, struct cr_vma_snap *vs,
		       u64 prev_end)
{
	struct cr_rec_vma *v;
	const char *why, *path, *name;
	u32 len;
	int ret;

	v = cr_read_obj(ctx, CR_REC_VMA, &len);
	if (IS_ERR(v))
		return PTR_ERR(v);
	vs->rec = *v;
	path = (const char *)(v + 1);
	why = cr_check_vma(v, len, &ms->rec, prev_end, &ctx->limits);
	if (!why && v->path_len)
		why = cr_check_string(path, v->path_len, CR_PATH_MAX);
	name = path + v->path_len;
	if (!why && v->name_len)
		why = cr_check_vma_name(name, v->name_len);
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "%s (%#llx-%#llx)", why, v->start, v->end);
		goto out;
	}
	ret = cr_stage_mempolicy(ctx, &v->mempolicy);
	if (ret)
		goto out;
	ret = -EOPNOTSUPP;
	if (v->flags & CR_VMA_F_MERGEABLE && !IS_ENABLED(CONFIG_KSM)) {
		cr_reject(ctx, ret, "a mapping KSM may merge, on a kernel without KSM");
		goto out;
	}
	if (v->name_len) {
		if (!IS_ENABLED(CONFIG_ANON_VMA_NAME)) {
			cr_reject(ctx, ret, "a named mapping, on a kernel without ANON_VMA_NAME");
			goto out;
		}
		ret = -ENOMEM;
		vs->name = anon_vma_name_alloc(name);
		if (!vs->name)
			goto out;
	}
	if (v->start < mmap_min_addr) {
		ret = cr_reject(ctx, -EPERM, "%#llx is below mmap_min_addr", v->start);
		goto out;
	}
	ret = 0;
	if (v->kind == CR_VMA_VDSO || v->kind == CR_VMA_VVAR) {
		ret = cr_arch_check_vdso(ms->rec.vdso, v);
		if (ret)
			cr_reject(ctx, ret, "does not match this kernel's vDSO");
	} else if (v->path_len) {
		int flags = v->flags & CR_VMA_F_MAYWRITE ? O_RDWR : O_RDONLY;
		struct file *file = cr_open_path(ctx, path, flags, v->prot & PROT_EXEC, false);

		if (IS_ERR(file))
			ret = PTR_ERR(file);
		else
			vs->file = file;
	} else if (cr_vma_kind_in(v->kind, CR_VMA_SHM)) {
		ret = cr_stage_shm(ctx, vs);
	}
out:
	kvfree(v);
	return ret;
}

/*
 * What mmap() would refuse the restarted process is refused now, before
 * the point of no return, with its errno: more than RLIMIT_AS or
 * RLIMIT_DATA allow (ENOMEM), what the LSM refuses, and under the
 * restarter's PR_SET_MDWE (which restart cannot undo) a writable and
 * executable mapping or an anonymous executable one, whose only content
 * is the image's (EACCES).  A file mapping's executable content from the
 * image is refused as it comes, past the point of no return.
 */
static int cr_check_mappings(struct cr_ctx *ctx, struct cr_mm_state *ms)
{
	unsigned long total = 0, data = 0;
	u32 i;
	int ret;

	ms->mdwe = test_bit(MMF_HAS_MDWE, &current->mm->flags);
	for (i = 0; i < ms->nr; i++) {
		const struct cr_vma_snap *vs = &ms->vmas[i];
		const struct cr_rec_vma *v = &vs->rec;
		unsigned long pages = (v->end - v->start) >> PAGE_SHIFT;
		bool shared = cr_vma_kind_in(v->kind, CR_VMA_SHM) ||
			      v->kind == CR_VMA_FILE_SHARED;

		total += pages;
		if ((v->prot & PROT_WRITE) && !shared && v->kind != CR_VMA_STACK)
			data += pages;
		if (ms->mdwe && (v->prot & PROT_EXEC) && v->kind != CR_VMA_VDSO &&
		    ((v->prot & PROT_WRITE) || !cr_vma_kind_in(v->kind, CR_VMA_FILE)))
			return cr_reject(ctx, -EACCES, "%#llx-%#llx: executable content under MDWE",
					 v->start, v->end);
		if (vs->file) {
			ret = security_mmap_file(vs->file, v->prot,
						 shared ? MAP_SHARED : MAP_PRIVATE);
			if (ret)
				return cr_reject(ctx, ret, "%#llx-%#llx: refused by the LSM",
						 v->start, v->end);
		}
	}
	if (total > rlimit(RLIMIT_AS) >> PAGE_SHIFT || data > rlimit(RLIMIT_DATA) >> PAGE_SHIFT)
		return cr_reject(ctx, -ENOMEM, "%lu pages (%lu of data): beyond RLIMIT_AS/DATA",
				 total, data);
	return 0;
}

/*
 * The mm record and all vma records.  Opens the executable and every
 * mapped file as the caller would: a restarted process cannot map what its
 * restarter could not open.  -EPERM for a mapping below mmap_min_addr;
 * -ETXTBSY if the executable is open for writing; the error of opening a
 * file (-ENOENT, -EACCES, ...).
 */
static int cr_read_mm(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_proc *pp = cr_parent_proc(ctx, t->proc);
	struct cr_mm_state *ms;
	struct cr_rec_mm *r;
	const char *why, *exe;
	u32 i, len, vdso_parts = 0;
	u64 prev_end = 0;
	int ret;

	ms = kvzalloc(sizeof(*ms), GFP_KERNEL);
	if (!ms)
		return -ENOMEM;
	t->proc->ms = ms;
	r = cr_read_obj(ctx, CR_REC_MM, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	ms->rec = *r;
	exe = (const char *)(r + 1);
	why = cr_check_mm(r, len, &ctx->limits);
	if (!why && r->exe_len)
		why = cr_check_string(exe, r->exe_len, CR_PATH_MAX);
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "%s", why);
		goto out;
	}
	/* what membarrier_register_mm() would refuse past the point of no return */
	if (cr_membarrier_cmds(r->mm_flags) & ~cr_membarrier_supported()) {
		ret = cr_reject(ctx, -EOPNOTSUPP, "membarrier registrations %#x not supported here",
				r->mm_flags & CR_MM_MEMBARRIER);
		goto out;
	}
	if (r->mm_flags & CR_MM_MERGE_ANY && !IS_ENABLED(CONFIG_KSM)) {
		ret = cr_reject(ctx, -EOPNOTSUPP, "KSM merging all, on a kernel without KSM");
		goto out;
	}
	ret = -EBADMSG;
	if (r->nr_vmas > sysctl_max_map_count) {
		cr_reject(ctx, ret, "%u vmas, vm.max_map_count is %d", r->nr_vmas,
			  sysctl_max_map_count);
		goto out;
	}
	if (r->exe_len) {
		struct file *file = cr_open_path(ctx, exe, O_RDONLY, false, true);

		ret = PTR_ERR(file);
		if (IS_ERR(file))
			goto out;
		ret = -ETXTBSY;
		if (exe_file_deny_write_access(file)) {
			fput(file);
			goto out;
		}
		ms->exe = file;
	}
	kvfree(r);

	ms->vmas = kvcalloc(ms->rec.nr_vmas, sizeof(*ms->vmas), GFP_KERNEL);
	if (!ms->vmas)
		return -ENOMEM;
	for (i = 0; i < ms->rec.nr_vmas; i++) {
		ret = cr_read_vma(ctx, ms, &ms->vmas[i], prev_end);
		ms->nr = i + 1;
		if (ret)
			return ret;
		prev_end = ms->vmas[i].rec.end;
		if (ms->vmas[i].rec.kind == CR_VMA_VDSO || ms->vmas[i].rec.kind == CR_VMA_VVAR)
			vdso_parts++;
		/* the parent process's vmas were staged before */
		if (ms->vmas[i].rec.flags & CR_VMA_F_INHERIT &&
		    !(pp && pp->ms && cr_vma_inherits(&ms->vmas[i], pp->ms->vmas, pp->ms->nr)))
			return cr_reject(ctx, -EBADMSG,
					 "%#llx-%#llx: inherited, but the parent has no such mapping",
					 ms->vmas[i].rec.start, ms->vmas[i].rec.end);
	}
	if (ms->rec.vdso && vdso_parts != 2)
		return cr_reject(ctx, -EBADMSG, "the vDSO text and data records are missing");
	return cr_check_mappings(ctx, ms);
out:
	kvfree(r);
	return ret;
}

/**
 * cr_stage_mapped() - take the files the mappings of memfds and deleted files map
 * @ctx: restart context, every section read
 *
 * A vma record of such a file names a file object of the files section,
 * which comes after it: each gets that object's file now, checked as mmap()
 * would check it (read access; write access for a shared writable mapping;
 * the LSM), before the point of no return.
 *
 * Return: 0; -EBADMSG for an objref of no memfd or deleted file; -EACCES;
 * or the LSM's error.
 */
int cr_stage_mapped(struct cr_ctx *ctx)
{
	u32 i, j;
	int ret;

	for (i = 0; i < ctx->nr_procs; i++) {
		struct cr_mm_state *ms = ctx->procs[i].ms;

		for (j = 0; ms && j < ms->nr; j++) {
			struct cr_vma_snap *vs = &ms->vmas[j];
			const struct cr_rec_vma *v = &vs->rec;
			bool shared = v->kind == CR_VMA_FILE_SHARED;
			struct file *file;

			if (!v->objref)
				continue;
			file = cr_files_obj(ctx, v->objref);
			ret = PTR_ERR_OR_ZERO(file);
			if (ret)
				goto bad;
			vs->file = file;
			ret = -EACCES;
			if (!(file->f_mode & FMODE_READ) ||
			    (shared && (v->prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE)))
				goto bad;
			ret = security_mmap_file(file, v->prot, shared ? MAP_SHARED : MAP_PRIVATE);
			if (ret)
				goto bad;
			continue;
bad:
			pr_info_ratelimited("restart: vma %#llx-%#llx of process %u: file object %u: %s (%d)\n",
					    v->start, v->end, i, v->objref,
					    ret == -EBADMSG ? "no memfd or deleted file" :
					    ret == -EACCES ? "not open for that access" :
					    "refused by the LSM", ret);
			return ret;
		}
	}
	return 0;
}

/* Does a process other than the caller run in @mm (CLONE_VM)? */
static bool cr_mm_other_process(struct mm_struct *mm)
{
	struct task_struct *p;
	bool other = false;

	/* set for good by the first clone(CLONE_VM) without CLONE_THREAD */
	if (!test_bit(MMF_MULTIPROCESS, &mm->flags))
		return false;
	rcu_read_lock();
	for_each_process(p) {
		if (!same_thread_group(p, current) && process_shares_mm(p, mm)) {
			other = true;
			break;
		}
	}
	rcu_read_unlock();
	return other;
}

/**
 * cr_check_caller_mm() - can the caller's address space be replaced?
 *
 * Shared is another task that runs in it: a thread, the parent of a vfork
 * child, a process made with CLONE_VM.  Not a reference to it that others
 * take for a while (/proc/PID/mem or /proc/PID/stat read, get_task_mm()),
 * so not mm_users: such readers see the address space change under them,
 * as they would under munmap(2).
 *
 * Return: 0; -EBUSY if the caller shares it (threads, vfork, CLONE_VM);
 * -EPERM if part of it is sealed with mseal().
 */
int cr_check_caller_mm(void)
{
	VMA_ITERATOR(vmi, current->mm, 0);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!mm || get_nr_threads(current) != 1 || current->vfork_done ||
	    cr_mm_other_process(mm)) {
		pr_info_ratelimited("restart: the caller's address space is shared\n");
		return -EBUSY;
	}
#ifdef VM_SEALED
	mmap_read_lock(mm);
	for_each_vma(vmi, vma)
		if (vma->vm_flags & VM_SEALED)
			ret = -EPERM;
	mmap_read_unlock(mm);
#endif
	return ret;
}

/*
 * Attach the segment of @vs where it was, as shmat(2); remove it again if
 * it was removed (a removed segment can still be attached by its id).
 */
static unsigned long cr_attach_sysv(struct cr_ctx *ctx, const struct cr_vma_snap *vs)
{
#ifdef CONFIG_SYSVIPC
	struct cr_shm_obj *o = &ctx->shm[vs->rec.shm - 1];
	unsigned long addr;
	long ret;

	ret = do_shmat(o->sysv->id, (char __user *)(unsigned long)vs->rec.start,
		       cr_shmat_flags(&vs->rec), &addr, SHMLBA);
	if (ret)
		return ret;
	if (o->sysv->flags & CR_SYSV_SHM_REMOVED && !o->removed) {
		o->removed = true;
		ret = shm_remove_segment(o->sysv->id);
	}
	return ret ?: addr;
#else
	return -EOPNOTSUPP;
#endif
}

static int cr_map_vma(struct cr_ctx *ctx, struct cr_mm_state *ms, struct cr_vma_snap *vs)
{
	const struct cr_rec_vma *v = &vs->rec;
	struct mm_struct *mm = current->mm;
	unsigned long len = v->end - v->start, addr, flags = MAP_FIXED_NOREPLACE;
	int ret = 0;

	if (v->flags & CR_VMA_F_INHERIT)
		return 0;	/* the parent's copy, kept */
	switch (v->kind) {
	case CR_VMA_VDSO:
		return cr_arch_map_vdso(ms->rec.vdso);
	case CR_VMA_VVAR:
		return 0;	/* mapped with the vDSO text */
	case CR_VMA_ANON_SHARED:
	case CR_VMA_FILE_SHARED:
	case CR_VMA_SYSV_SHM:
		flags |= MAP_SHARED;
		break;
	case CR_VMA_FILE_PRIVATE:
		flags |= MAP_PRIVATE;
		break;
	default:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	}
	if (v->flags & CR_VMA_F_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->flags & CR_VMA_F_NORESERVE)
		flags |= MAP_NORESERVE;
	/* shared anonymous memory: its object, made when its record was read */
	if (v->kind == CR_VMA_SYSV_SHM)
		addr = cr_attach_sysv(ctx, vs);
	else
		addr = vm_mmap(vs->file, v->start, len, v->prot, flags, v->pgoff << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr != v->start)
		return -EFAULT;
	if (v->flags & CR_VMA_F_DONTFORK)
		ret = do_madvise(mm, addr, len, MADV_DONTFORK);
	if (!ret && v->flags & CR_VMA_F_DONTDUMP)
		ret = do_madvise(mm, addr, len, MADV_DONTDUMP);
	if (!ret && v->flags & CR_VMA_F_WIPEONFORK)
		ret = do_madvise(mm, addr, len, MADV_WIPEONFORK);
	if (!ret && v->flags & CR_VMA_F_RANDOM)
		ret = do_madvise(mm, addr, len, MADV_RANDOM);
	if (!ret && v->flags & CR_VMA_F_SEQUENTIAL)
		ret = do_madvise(mm, addr, len, MADV_SEQUENTIAL);
	/* -EINVAL on a kernel without transparent huge pages */
	if (!ret && v->flags & CR_VMA_F_HUGEPAGE)
		ret = do_madvise(mm, addr, len, MADV_HUGEPAGE);
	if (!ret && v->flags & CR_VMA_F_NOHUGEPAGE)
		ret = do_madvise(mm, addr, len, MADV_NOHUGEPAGE);
#ifdef CONFIG_KSM
	/* new mappings of a process KSM merges whole are mergeable already */
	if (!ret && v->flags & CR_VMA_F_MERGEABLE)
		ret = do_madvise(mm, addr, len, MADV_MERGEABLE);
	else if (!ret && test_bit(MMF_VM_MERGE_ANY, &mm->flags))
		ret = do_madvise(mm, addr, len, MADV_UNMERGEABLE);
#endif
	if (!ret && vs->name) {
		mmap_write_lock(mm);
		ret = madvise_set_anon_name(mm, addr, len, vs->name);
		mmap_write_unlock(mm);
	}
#ifdef CONFIG_NUMA
	if (!ret && v->mempolicy.mode != CR_MPOL_DEFAULT) {
		nodemask_t nodes;

		/* staged: fails for want of memory only */
		ret = cr_mempolicy_nodes(&v->mempolicy, &nodes) ?:
		      mempolicy_bind_range(addr, len, v->mempolicy.mode | v->mempolicy.flags,
					   &nodes);
	}
#endif
	return ret;
}

/*
 * Is the copy of the parent's mapping @vs in current's address space
 * whole, as the parent restored it?  -EFAULT if not.
 */
static int cr_check_inherited(const struct cr_vma_snap *vs)
{
	VMA_ITERATOR(vmi, current->mm, vs->rec.start);
	const struct cr_rec_vma *v = &vs->rec;
	vm_flags_t prot = calc_vm_prot_bits(v->prot, 0);
	struct mm_struct *mm = current->mm;
	unsigned long next = v->start;
	struct vm_area_struct *vma;
	int ret = 0;

	mmap_read_lock(mm);
	for_each_vma_range(vmi, vma, v->end) {
		if (vma->vm_start > next ||
		    (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) != prot ||
		    (vma->vm_flags & VM_MAYSHARE) ||
		    (vs->file ? !vma->vm_file || file_inode(vma->vm_file) != file_inode(vs->file) :
		     !vma_is_anonymous(vma)))
			break;
		next = vma->vm_end;
	}
	if (next < v->end)
		ret = -EFAULT;
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Unmap the address space current was made with, but for the mappings
 * it keeps from its parent (CR_VMA_F_INHERIT), which must be there whole.
 */
static int cr_unmap_made(struct cr_mm_state *ms)
{
	unsigned long from = 0;
	u32 i;
	int ret;

	for (i = 0; i < ms->nr; i++) {
		const struct cr_vma_snap *vs = &ms->vmas[i];

		if (!(vs->rec.flags & CR_VMA_F_INHERIT))
			continue;
		if (vs->rec.start > from) {
			ret = vm_munmap(from, vs->rec.start - from);
			if (ret)
				return ret;
		}
		ret = cr_check_inherited(vs);
		if (ret) {
			pr_info_ratelimited("restart: inherited %#llx-%#llx is not the parent's\n",
					    vs->rec.start, vs->rec.end);
			return ret;
		}
		from = vs->rec.end;
	}
	return vm_munmap(from, TASK_SIZE - from);
}

/*
 * Is @exe already the executable of @mm?  A process made from its parent
 * has the parent's, which the mappings it inherits may map.
 */
static bool cr_same_exe(struct mm_struct *mm, struct file *exe)
{
	struct file *old = get_mm_exe_file(mm);
	bool same = old && file_inode(old) == file_inode(exe);

	if (old)
		fput(old);
	return same;
}

/*
 * Replace the caller's address space with the staged one: unmap
 * everything but the mappings it inherits from its parent, set the mm
 * fields, map the other vmas and the vDSO where they were.  The pages
 * follow with cr_restore_pages().
 */
static int cr_restore_mm(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_mm_state *ms = t->proc->ms;
	const struct cr_rec_mm *r = &ms->rec;
	struct mm_struct *mm = current->mm;
	u32 i;
	int ret;

	ret = cr_unmap_made(ms);
	if (ret)
		return ret;
	/*
	 * Made from its restored parent, it has the parent's MDWE: it gets
	 * the image's below, as long as the restarter had none
	 */
	if (!ms->mdwe) {
		clear_bit(MMF_HAS_MDWE, &mm->flags);
		clear_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags);
	}
	/*
	 * The old executable is no longer mapped: it may be replaced, by a
	 * caller who may do it with prctl(PR_SET_MM_MAP); for others
	 * /proc/PID/exe keeps naming the restarter's executable.
	 */
	if (ms->exe && checkpoint_restore_ns_capable(current_user_ns()) &&
	    !cr_same_exe(mm, ms->exe)) {
		ret = replace_mm_exe_file(mm, ms->exe);
		if (ret)
			return ret;
	}
	ret = mmap_write_lock_killable(mm);
	if (ret)
		return ret;
	mm->start_code = r->start_code;
	mm->end_code = r->end_code;
	mm->start_data = r->start_data;
	mm->end_data = r->end_data;
	mm->start_brk = r->start_brk;
	mm->brk = r->brk;
	mm->start_stack = r->start_stack;
	spin_lock(&mm->arg_lock);
	mm->arg_start = r->arg_start;
	mm->arg_end = r->arg_end;
	mm->env_start = r->env_start;
	mm->env_end = r->env_end;
	spin_unlock(&mm->arg_lock);
	mmap_write_unlock(mm);
	task_lock(current);
	memcpy(mm->saved_auxv, r->auxv, sizeof(mm->saved_auxv));
	task_unlock(current);
#ifdef CONFIG_KSM
	/* before the mappings are made, which it makes mergeable */
	ret = mmap_write_lock_killable(mm);
	if (ret)
		return ret;
	if (r->mm_flags & CR_MM_MERGE_ANY)
		ret = ksm_enable_merge_any(mm);
	else if (test_bit(MMF_VM_MERGE_ANY, &mm->flags))
		ret = ksm_disable_merge_any(mm);
	mmap_write_unlock(mm);
	if (ret)
		return ret;
#endif

	for (i = 0; i < ms->nr; i++) {
		ret = cr_map_vma(ctx, ms, &ms->vmas[i]);
		if (ret) {
			pr_info_ratelimited("restart: mapping %#llx-%#llx failed: %d\n",
					    ms->vmas[i].rec.start, ms->vmas[i].rec.end, ret);
			return ret;
		}
	}
	/*
	 * Once mapped: these only take away, and the restarter's MDWE (which
	 * cannot be undone) stays in force whatever the image says.
	 */
	set_dumpable(mm, r->dumpable ? SUID_DUMP_USER : SUID_DUMP_DISABLE);
	if (r->mm_flags & CR_MM_THP_DISABLE)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	else
		clear_bit(MMF_DISABLE_THP, &mm->flags);
	if (r->mm_flags & CR_MM_MDWE)
		set_bit(MMF_HAS_MDWE, &mm->flags);
	if (r->mm_flags & CR_MM_MDWE_NO_INHERIT)
		set_bit(MMF_HAS_MDWE_NO_INHERIT, &mm->flags);
	/* added to the restarter's own, which cannot be undone */
	return membarrier_register_mm(cr_membarrier_cmds(r->mm_flags));
}

/* The staged vma that holds @addr, searching forward from the last one. */
static struct cr_vma_snap *cr_find_stage(struct cr_mm_state *ms, u64 addr)
{
	while (ms->cur < ms->nr && ms->vmas[ms->cur].rec.end <= addr)
		ms->cur++;
	if (ms->cur < ms->nr && ms->vmas[ms->cur].rec.start <= addr &&
	    cr_vma_kind_in(ms->vmas[ms->cur].rec.kind, CR_VMA_CONTENT))
		return &ms->vmas[ms->cur];
	return NULL;
}

static int cr_fill_page(struct cr_mm_state *ms, u64 addr, void *data)
{
	struct cr_vma_snap *vs = cr_find_stage(ms, addr);
	int n;

	if (ms->mdwe && (vs->rec.prot & PROT_EXEC)) {
		pr_info_ratelimited("restart: content for executable %#llx refused by MDWE\n",
				    addr);
		return -EACCES;
	}
	if (cr_vma_kind_in(vs->rec.kind, CR_VMA_SHM)) {
		/* through its object, which other processes of the tree may map */
		loff_t pos = addr - vs->rec.start + (vs->rec.pgoff << PAGE_SHIFT);

		if (pos + PAGE_SIZE > vs->rec.shm_size)
			return -EFAULT;
		/* a segment that was there has its own contents */
		if (vs->live)
			return 0;
		n = kernel_write(vs->file, data, PAGE_SIZE, &pos);
	} else {
		/* FOLL_FORCE: also into read-only private mappings, as ptrace */
		n = access_remote_vm(current->mm, addr, data, PAGE_SIZE,
				     FOLL_FORCE | FOLL_WRITE);
	}
	return n == PAGE_SIZE ? 0 : -EFAULT;
}

/* The pmd of @addr in @mm, allocated with what leads to it; NULL: no memory. */
static pmd_t *cr_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	p4d_t *p4d = p4d_alloc(mm, pgd_offset(mm, addr), addr);
	pud_t *pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;

	return pud ? pmd_alloc(mm, pud, addr) : NULL;
}

/*
 * Map the new, filled @folio at @addr of @vma as a write fault maps the
 * copy it made: anonymous, exclusive, dirty, writable if @vma is.  The pte
 * @pte is none; its lock is held.
 */
static void cr_map_new_folio(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
			     struct folio *folio)
{
	pte_t entry = pte_mkdirty(mk_pte(&folio->page, vma->vm_page_prot));

	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry, vma);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	set_pte_at(vma->vm_mm, addr, pte, entry);
	update_mmu_cache(vma, addr, pte);
}

/*
 * Map the folios ms->folios[@i...] from @addr to @end, under the page table
 * of @pmd, where no page is mapped yet; those mapped are the process's now
 * (their slot is cleared).
 */
static void cr_map_pte_range(struct cr_mm_state *ms, struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long addr, unsigned long end, u32 i)
{
	spinlock_t *ptl;	/* of the page table being filled */
	pte_t *start, *pte;
	u32 mapped = 0;

	start = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!start)
		return;
	__acquire(ptl);		/* for sparse: its annotation is RCU's */
	for (pte = start; addr < end; addr += PAGE_SIZE, pte++, i++) {
		if (!pte_none(ptep_get(pte)))
			continue;
		cr_map_new_folio(vma, addr, pte, ms->folios[i]);
		ms->folios[i] = NULL;
		mapped++;
	}
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, mapped);
	pte_unmap_unlock(start, ptl);
}

/*
 * Map the @nr folios of ms->folios at @addr on, in the private mapping
 * there, a page table at a time.  Those it maps become the process's (their
 * slot is cleared); a page the process has already (its parent's, in an
 * inherited mapping) or one under a huge pmd keeps its folio, for the
 * caller to copy over it.
 *
 * Context: current->mm's mmap_lock held for reading.
 * Return: 0 or -ENOMEM.
 */
static int cr_map_folios(struct cr_mm_state *ms, unsigned long addr, u32 nr)
{
	unsigned long end = addr + nr * PAGE_SIZE, next;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	pmd_t *pmd, pmdv;
	u32 i = 0;

	vma = vma_lookup(mm, addr);
	if (!vma || vma->vm_end < end || (vma->vm_flags & (VM_MAYSHARE | VM_SPECIAL)) ||
	    is_vm_hugetlb_page(vma))
		return 0;	/* not what restart mapped: the slow way says why */
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	for (; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		pmd = cr_alloc_pmd(mm, addr);
		if (!pmd)
			return -ENOMEM;
		if (pmd_none(pmdp_get_lockless(pmd)) && __pte_alloc(mm, pmd))
			return -ENOMEM;
		pmdv = pmdp_get_lockless(pmd);
		if (pmd_present(pmdv) && !pmd_trans_huge(pmdv) && !pmd_devmap(pmdv) &&
		    !pmd_bad(pmdv))
			cr_map_pte_range(ms, vma, pmd, addr, next, i);
		i += (next - addr) >> PAGE_SHIFT;
	}
	return 0;
}

/*
 * A run of @nr pages at @addr in one private mapping, read from the image
 * into new folios and mapped in place, as UFFDIO_COPY does: no fault and
 * no zeroing of a page before its copy.  Pages that are there already are
 * written over as cr_fill_page() does.
 */
static int cr_fill_run(struct cr_ctx *ctx, struct cr_mm_state *ms, u64 addr, u32 nr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u32 i, got = 0;
	int ret;

	/*
	 * On the nodes the mapping's memory policy (mbind(2)) asks for, else
	 * the task's, as a fault would allocate them; not across the read
	 */
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = vma_lookup(mm, addr);
	ret = vma && vma->vm_end >= addr + nr * PAGE_SIZE ? 0 : -EFAULT;
	for (; !ret && got < nr; got++) {
		ms->folios[got] = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma,
						  addr + got * PAGE_SIZE, false);
		if (!ms->folios[got])
			ret = -ENOMEM;
		else
			bvec_set_folio(&ms->bv[got], ms->folios[got], PAGE_SIZE, 0);
	}
	mmap_read_unlock(mm);
	if (ret)
		goto out;
	ret = cr_read_data_pages(ctx, ms->bv, nr);
	for (i = 0; !ret && i < nr; i++) {
		/* its contents visible before the pte that maps it */
		__folio_mark_uptodate(ms->folios[i]);
		if (mem_cgroup_charge(ms->folios[i], mm, GFP_KERNEL))
			ret = -ENOMEM;
	}
	if (ret)
		goto out;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out;
	ret = cr_map_folios(ms, addr, nr);
	mmap_read_unlock(mm);
	for (i = 0; !ret && i < nr; i++)
		if (ms->folios[i])
			ret = cr_fill_page(ms, addr + i * PAGE_SIZE, folio_address(ms->folios[i]));
out:
	for (i = 0; i < got; i++)
		if (ms->folios[i])
			folio_put(ms->folios[i]);
	return ret;
}

/*
 * Up to @to, drop what the inherited mappings of @ms hold from
 * ms->zap_next on: pages of the parent the image neither keeps nor
 * replaces (the process never had them, or no longer has them).
 */
static int cr_zap_to(struct cr_mm_state *ms, u64 to)
{
	const struct cr_rec_vma *v;
	u64 from, end;
	int ret;

	while (ms->zap_next < to) {
		while (ms->zap_cur < ms->nr &&
		       (!(ms->vmas[ms->zap_cur].rec.flags & CR_VMA_F_INHERIT) ||
			ms->vmas[ms->zap_cur].rec.end <= ms->zap_next))
			ms->zap_cur++;
		if (ms->zap_cur == ms->nr || ms->vmas[ms->zap_cur].rec.start >= to)
			break;
		v = &ms->vmas[ms->zap_cur].rec;
		from = max(v->start, ms->zap_next);
		end = min(v->end, to);
		ret = do_madvise(current->mm, from, end - from, MADV_DONTNEED);
		if (ret)
			return ret;
		ms->zap_next = end;
	}
	ms->zap_next = max(ms->zap_next, to);
	return 0;
}

/*
 * One pages record of @ms's process and its page data.  Every address must
 * be page aligned and inside a mapping saved by content; the parent's
 * pages (CR_PAGES_F_PARENT, no data) inside one it inherits.  Addresses
 * increase, inside a record and across them, but for a record of a
 * process's own pages after one of its parent's: it may start where that
 * one could (the same chunk of a vma, split in two).  Runs of pages
 * in private mappings are read into new pages, mapped as they are
 * (cr_fill_run()); the others go through a bounce buffer.
 */
static int cr_read_pages(struct cr_ctx *ctx, struct cr_mm_state *ms,
			 const struct cr_rec_pages *rec)
{
	bool parent = rec->flags & CR_PAGES_F_PARENT;
	u32 i, j, run, first, nr = rec->nr;
	struct cr_vma_snap *vs;
	u64 low;
	int ret;

	memcpy(ms->addrs, rec + 1, nr * sizeof(u64));
	first = ms->cur;
	low = !parent && ms->after_parent ? ms->parent_low : ms->next_addr;
	ms->parent_low = low;
	for (i = 0; i < nr; i++) {
		u64 a = ms->addrs[i];

		vs = PAGE_ALIGNED(a) && a >= low ? cr_find_stage(ms, a) : NULL;
		if (!vs || (parent && !(vs->rec.flags & CR_VMA_F_INHERIT)))
			return cr_reject(ctx, -EBADMSG,
					 "page %u at %#llx: misaligned, out of order or in no vma saved whole%s",
					 i, a, parent ? " and inherited" : "");
		low = a + PAGE_SIZE;
	}
	ms->next_addr = max(ms->next_addr, low);
	ms->after_parent = parent;
	/*
	 * What the parent had in between goes; its pages here stay, or are
	 * replaced (then they may go first)
	 */
	for (i = 0; i < nr; i++) {
		ret = cr_zap_to(ms, ms->addrs[i]);
		if (ret)
			return ret;
		ms->zap_next = max(ms->zap_next, ms->addrs[i] + PAGE_SIZE);
	}
	if (parent)
		return 0;

	ret = cr_read_page_data(ctx, nr * PAGE_SIZE);
	if (ret)
		return ret;
	/* addresses increase: search the vmas again from the first page's */
	ms->cur = first;
	for (i = 0; i < nr; i += run) {
		vs = cr_find_stage(ms, ms->addrs[i]);
		/* a run of contiguous pages inside one vma */
		for (run = 1; i + run < nr; run++)
			if (ms->addrs[i + run] != ms->addrs[i] + run * PAGE_SIZE ||
			    ms->addrs[i + run] >= vs->rec.end)
				break;
		if (!cr_vma_kind_in(vs->rec.kind, CR_VMA_SHM) &&
		    !(ms->mdwe && (vs->rec.prot & PROT_EXEC))) {
			/* private: into new pages, mapped as they are */
			ret = cr_fill_run(ctx, ms, ms->addrs[i], run);
			if (ret)
				return ret;
			continue;
		}
		ret = cr_read_data(ctx, ctx->buf, run * PAGE_SIZE);
		if (ret)
			return ret;
		for (j = 0; j < run; j++) {
			ret = cr_fill_page(ms, ms->addrs[i + j], ctx->buf + j * PAGE_SIZE);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * cr_restore_pages() - read a process's pages into its restored address space
 * @ctx: restart context, past the point of no return
 * @p: the process, current's, its address space restored (the early sections)
 *
 * Reads the pages records of @p, each with its page data, and drops what
 * the mappings it inherits hold of its parent's beyond them.  The first pages
 * record of a later process is kept in ctx->stash for its turn; the tail
 * is left to cr_read_tail().
 *
 * Context: may sleep; past the point of no return; @p's turn at the image.
 * Return: 0; -EBADMSG for an invalid record; -EFAULT if a page cannot be
 * written; or a read error (the tree is then killed).
 */
int cr_restore_pages(struct cr_ctx *ctx, struct cr_proc *p)
{
	struct cr_rec_pages *rec;
	const char *why;
	int type, ret;
	u32 len;

	for (;;) {
		rec = ctx->stash;
		len = ctx->stash_len;
		ctx->stash = NULL;
		if (!rec) {
			type = cr_next_type(ctx);
			if (type < 0)
				return type == -ENODATA ? -EBADMSG : type;
			if (type != CR_REC_PAGES)
				break;
			rec = cr_read_obj(ctx, CR_REC_PAGES, &len);
			if (IS_ERR(rec))
				return PTR_ERR(rec);
			why = cr_check_pages(rec, len, ctx->nr_procs);
			if (!why && rec->proc < p->idx)
				why = "pages of a process after the next one's";
			if (why) {
				kvfree(rec);
				return cr_reject(ctx, -EBADMSG, "%s", why);
			}
		}
		if (rec->proc > p->idx) {
			/* the next process's turn */
			ctx->stash = rec;
			ctx->stash_len = len;
			break;
		}
		ret = cr_read_pages(ctx, p->ms, rec);
		kvfree(rec);
		if (ret)
			return ret;
	}
	/* past its last page, nothing more of the parent's */
	return cr_zap_to(p->ms, TASK_SIZE);
}

/* What the mm section left: the vma list of a checkpoint, or what restart staged. */
static void cr_free_mm(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_proc *p = t ? t->proc : NULL;
	struct cr_mm_state *ms;
	u32 i;

	if (!p) {
		/* the shared memory objects restart made, or checkpoint found */
		for (i = 0; ctx->shm && i < ctx->nr_shm; i++) {
			fput(ctx->shm[i].file);
			kvfree(ctx->shm[i].sysv);
		}
		kfree(ctx->shm);
		ctx->shm = NULL;
		return;
	}
	if (p->snap)
		cr_put_snap(p->snap, p->nr_snap);
	p->snap = NULL;
	p->nr_snap = 0;
	ms = p->ms;
	if (!ms)
		return;
	for (i = 0; i < ms->nr; i++) {
		if (ms->vmas[i].file)
			fput(ms->vmas[i].file);
		anon_vma_name_put(ms->vmas[i].name);
	}
	kvfree(ms->vmas);
	if (ms->exe) {
		exe_file_allow_write_access(ms->exe);
		fput(ms->exe);
	}
	kvfree(ms);
	p->ms = NULL;
}

/* The address space: the mm record and the vma records; the pages come last. */
const struct cr_section cr_mm_section = {
	.name		= "mm",
	.scope		= CR_SCOPE_PROC,
	.write		= cr_write_mm,
	.read		= cr_read_mm,
	.restore	= cr_restore_mm,
	.free		= cr_free_mm,
	.early		= true,
};
