// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reference dma-buf importer for the pfnsuite reference kernel.
 *
 * /dev/pfn_ref_imp attaches to dma-bufs declaring a chosen set of memory
 * models, gets their memory chunks with dma_buf_get_memory() and records
 * invalidate_mappings callbacks (dropping the chunks it holds, as a real
 * importer must). Results are returned by ioctl and listed in
 * /sys/kernel/debug/pfn_ref_importer/imports.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "pfn_ref_uapi.h"

MODULE_IMPORT_NS("DMA_BUF");

struct pfn_imp {
	struct dma_buf_attach_ops ops;	/* per import: its own mem_models */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct list_head node;		/* on pfn_imp_all */
	u32 id;
	/* protected by dmabuf->resv */
	struct dma_buf_mem_chunks *chunks;
	struct pfn_ref_imp_status st;
	int last_err;
};

static DEFINE_MUTEX(pfn_imp_lock);	/* pfn_imp_all */
static LIST_HEAD(pfn_imp_all);
static struct miscdevice pfn_imp_misc;
static struct dentry *pfn_imp_dir;

static void pfn_imp_drop_chunks(struct pfn_imp *imp)
{
	dma_resv_assert_held(imp->dmabuf->resv);
	if (imp->chunks)
		dma_buf_put_memory(imp->attach, imp->chunks);
	imp->chunks = NULL;
	imp->st.holding = 0;
}

static void pfn_imp_invalidate(struct dma_buf_attachment *attach)
{
	struct pfn_imp *imp = attach->importer_priv;

	imp->st.invalidations++;
	pfn_imp_drop_chunks(imp);
}

static long pfn_imp_attach(struct xarray *xa,
			   struct pfn_ref_imp_attach __user *uarg)
{
	struct pfn_ref_imp_attach arg;
	struct pfn_imp *imp;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~(PFN_REF_IMP_P2P | PFN_REF_IMP_STATIC |
			  PFN_REF_IMP_NO_INVALIDATE))
		return -EINVAL;
	/* The core warns about an importer that declares what it cannot do */
	if ((arg.flags & PFN_REF_IMP_NO_INVALIDATE) &&
	    (arg.mem_models & (PFN_REF_CAP_DYNAMIC | PFN_REF_CAP_REVOCABLE)))
		return -EINVAL;
	if (arg.flags & PFN_REF_IMP_STATIC)
		arg.mem_models = 0;

	imp = kzalloc_obj(*imp);
	if (!imp)
		return -ENOMEM;
	imp->ops.allow_peer2peer = arg.flags & PFN_REF_IMP_P2P;
	if (!(arg.flags & PFN_REF_IMP_NO_INVALIDATE))
		imp->ops.invalidate_mappings = pfn_imp_invalidate;
	imp->ops.mem_models = arg.mem_models;

	imp->dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		goto err_free;
	}
	if (arg.flags & PFN_REF_IMP_STATIC)
		imp->attach = dma_buf_attach(imp->dmabuf,
					     pfn_imp_misc.this_device);
	else
		imp->attach = dma_buf_dynamic_attach(imp->dmabuf,
						     pfn_imp_misc.this_device,
						     &imp->ops, imp);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto err_put;
	}
	ret = xa_alloc(xa, &imp->id, imp, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_detach;
	imp->st.id = imp->id;

	mutex_lock(&pfn_imp_lock);
	list_add_tail(&imp->node, &pfn_imp_all);
	mutex_unlock(&pfn_imp_lock);

	if (put_user(imp->id, &uarg->id))
		return -EFAULT;	/* stays attached until close */
	return 0;

err_detach:
	dma_buf_detach(imp->dmabuf, imp->attach);
err_put:
	dma_buf_put(imp->dmabuf);
err_free:
	kfree(imp);
	return ret;
}

static void pfn_imp_destroy(struct pfn_imp *imp)
{
	mutex_lock(&pfn_imp_lock);
	list_del(&imp->node);
	mutex_unlock(&pfn_imp_lock);

	dma_resv_lock(imp->dmabuf->resv, NULL);
	pfn_imp_drop_chunks(imp);
	dma_resv_unlock(imp->dmabuf->resv);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	kfree(imp);
}

static long pfn_imp_get(struct pfn_imp *imp)
{
	struct dma_buf_mem_chunks *chunks;
	unsigned int i, j;

	dma_resv_lock(imp->dmabuf->resv, NULL);
	pfn_imp_drop_chunks(imp);
	chunks = dma_buf_get_memory(imp->attach);
	if (IS_ERR(chunks)) {
		imp->last_err = PTR_ERR(chunks);
		dma_resv_unlock(imp->dmabuf->resv);
		return imp->last_err;
	}

	imp->last_err = 0;
	imp->chunks = chunks;
	imp->st.holding = 1;
	imp->st.nr_chunks = chunks->nr_chunks;
	imp->st.nr_ranges = 0;
	imp->st.nr_p2p = 0;
	imp->st.size = 0;
	imp->st.first_paddr = chunks->chunks[0].ranges[0].paddr;
	for (i = 0; i < chunks->nr_chunks; i++) {
		imp->st.nr_ranges += chunks->chunks[i].nr_ranges;
		imp->st.nr_p2p += !!chunks->chunks[i].provider;
		for (j = 0; j < chunks->chunks[i].nr_ranges; j++)
			imp->st.size += chunks->chunks[i].ranges[j].len;
	}
	dma_resv_unlock(imp->dmabuf->resv);
	return 0;
}

static long pfn_imp_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct xarray *xa = file->private_data;
	struct pfn_ref_imp_status st;
	void __user *uarg = (void __user *)arg;
	struct pfn_imp *imp;
	long ret = 0;
	u32 id;

	if (cmd == PFN_REF_IMP_ATTACH)
		return pfn_imp_attach(xa, uarg);

	if (get_user(id, (u32 __user *)uarg))
		return -EFAULT;
	imp = xa_load(xa, id);
	if (!imp)
		return -ENOENT;

	switch (cmd) {
	case PFN_REF_IMP_GET:
		ret = pfn_imp_get(imp);
		fallthrough;
	case PFN_REF_IMP_STATUS:
		dma_resv_lock(imp->dmabuf->resv, NULL);
		st = imp->st;
		dma_resv_unlock(imp->dmabuf->resv);
		if (copy_to_user(uarg, &st, sizeof(st)))
			return -EFAULT;
		return ret;
	case PFN_REF_IMP_PUT:
		dma_resv_lock(imp->dmabuf->resv, NULL);
		pfn_imp_drop_chunks(imp);
		dma_resv_unlock(imp->dmabuf->resv);
		return 0;
	case PFN_REF_IMP_DETACH:
		xa_erase(xa, id);
		pfn_imp_destroy(imp);
		return 0;
	default:
		return -ENOTTY;
	}
}

static int pfn_imp_open(struct inode *inode, struct file *file)
{
	struct xarray *xa = kzalloc(sizeof(*xa), GFP_KERNEL);

	if (!xa)
		return -ENOMEM;
	xa_init_flags(xa, XA_FLAGS_ALLOC);
	file->private_data = xa;
	return 0;
}

static int pfn_imp_release(struct inode *inode, struct file *file)
{
	struct xarray *xa = file->private_data;
	struct pfn_imp *imp;
	unsigned long id;

	xa_for_each(xa, id, imp)
		pfn_imp_destroy(imp);
	xa_destroy(xa);
	kfree(xa);
	return 0;
}

static const struct file_operations pfn_imp_fops = {
	.owner = THIS_MODULE,
	.open = pfn_imp_open,
	.release = pfn_imp_release,
	.unlocked_ioctl = pfn_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pfn_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pfn_ref_imp",
	.fops = &pfn_imp_fops,
	.mode = 0600,
};

static int pfn_imp_debug_show(struct seq_file *m, void *unused)
{
	struct pfn_imp *imp;

	mutex_lock(&pfn_imp_lock);
	list_for_each_entry(imp, &pfn_imp_all, node) {
		dma_resv_lock(imp->dmabuf->resv, NULL);
		seq_printf(m, "id=%u exporter=%s model=%s mem_models=%#x p2p=%d invalidations=%u holding=%u chunks=%u ranges=%u p2p_chunks=%u size=%llu last_err=%d\n",
			   imp->id, imp->dmabuf->exp_name,
			   dma_buf_mem_model_name(imp->dmabuf->mem_model),
			   imp->ops.mem_models, imp->ops.allow_peer2peer,
			   imp->st.invalidations, imp->st.holding,
			   imp->st.nr_chunks, imp->st.nr_ranges,
			   imp->st.nr_p2p, imp->st.size, imp->last_err);
		dma_resv_unlock(imp->dmabuf->resv);
	}
	mutex_unlock(&pfn_imp_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pfn_imp_debug);

static int __init pfn_imp_init(void)
{
	int ret = misc_register(&pfn_imp_misc);

	if (ret)
		return ret;
	pfn_imp_dir = debugfs_create_dir("pfn_ref_importer", NULL);
	debugfs_create_file("imports", 0400, pfn_imp_dir, NULL, &pfn_imp_debug_fops);
	return 0;
}

static void __exit pfn_imp_exit(void)
{
	debugfs_remove_recursive(pfn_imp_dir);
	misc_deregister(&pfn_imp_misc);
}

module_init(pfn_imp_init);
module_exit(pfn_imp_exit);
MODULE_DESCRIPTION("pfnsuite reference dma-buf importer (memory chunks, models)");
MODULE_LICENSE("GPL");
