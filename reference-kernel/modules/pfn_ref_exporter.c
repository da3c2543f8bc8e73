// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reference dma-buf exporter for the pfnsuite reference kernel.
 *
 * /dev/pfn_ref_exp exports buffers of system memory split into a chosen
 * number of physically contiguous blocks, declaring the pinned, dynamic or
 * revocable memory model (per buffer, or default_model=). Userspace moves a
 * dynamic buffer and revokes or restores a revocable one through ioctls, so
 * test suites can drive importers through every model. The memory is
 * provided to importers both as a scatterlist (map_dma_buf) and as memory
 * chunks (get_memory).
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "pfn_ref_uapi.h"

MODULE_IMPORT_NS("DMA_BUF");

#define PFN_REF_MAX_RANGES	64
#define PFN_REF_MAX_SIZE	(256UL << 20)

static char *default_model = "pinned";
module_param(default_model, charp, 0644);
MODULE_PARM_DESC(default_model,
		 "Memory model of buffers created with model 0: pinned, dynamic or revocable (default: pinned)");

struct pfn_ref_buf {
	struct dma_buf *dmabuf;
	size_t block_size;
	unsigned int nr_blocks;
	void **blocks;		/* protected by dmabuf->resv */
};

static void pfn_ref_free_blocks(void **blocks, unsigned int n, size_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (blocks[i])
			free_pages_exact(blocks[i], size);
	kfree(blocks);
}

static void **pfn_ref_alloc_blocks(unsigned int n, size_t size)
{
	void **blocks = kcalloc(n, sizeof(*blocks), GFP_KERNEL);
	unsigned int i;

	if (!blocks)
		return NULL;
	for (i = 0; i < n; i++) {
		blocks[i] = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
		if (!blocks[i]) {
			pfn_ref_free_blocks(blocks, n, size);
			return NULL;
		}
	}
	return blocks;
}

static struct sg_table *pfn_ref_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct pfn_ref_buf *buf = attach->dmabuf->priv;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(sgt, buf->nr_blocks, GFP_KERNEL);
	if (ret)
		goto err_free;
	for_each_sgtable_sg(sgt, sg, i)
		sg_set_page(sg, virt_to_page(buf->blocks[i]), buf->block_size, 0);
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void pfn_ref_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

#ifdef PFN_REF_KAPI_V1
typedef unsigned int pfn_ref_count;
#else
typedef size_t pfn_ref_count;
#endif

static struct dma_buf_mem_chunks *
pfn_ref_get_memory(struct dma_buf_attachment *attach)
{
	struct pfn_ref_buf *buf = attach->dmabuf->priv;
	pfn_ref_count nr_ranges = buf->nr_blocks;
	struct dma_buf_mem_chunks *chunks;
	unsigned int i;

	dma_resv_assert_held(attach->dmabuf->resv);

	chunks = dma_buf_mem_chunks_alloc(1, &nr_ranges, GFP_KERNEL);
	if (!chunks)
		return ERR_PTR(-ENOMEM);
	/* System memory: no p2pdma provider */
	for (i = 0; i < buf->nr_blocks; i++) {
		chunks->chunks[0].ranges[i].paddr = virt_to_phys(buf->blocks[i]);
		chunks->chunks[0].ranges[i].len = buf->block_size;
	}
	return chunks;
}

static void pfn_ref_release(struct dma_buf *dmabuf)
{
	struct pfn_ref_buf *buf = dmabuf->priv;

	pfn_ref_free_blocks(buf->blocks, buf->nr_blocks, buf->block_size);
	kfree(buf);
}

static const struct dma_buf_ops pfn_ref_ops = {
	.map_dma_buf = pfn_ref_map,
	.unmap_dma_buf = pfn_ref_unmap,
	.release = pfn_ref_release,
	.get_memory = pfn_ref_get_memory,
};

/* An exporter that declares no model cannot offer get_memory */
static const struct dma_buf_ops pfn_ref_undeclared_ops = {
	.map_dma_buf = pfn_ref_map,
	.unmap_dma_buf = pfn_ref_unmap,
	.release = pfn_ref_release,
};

static int pfn_ref_parse_model(const char *name)
{
	int m;

	for (m = DMA_BUF_MEM_MODEL_PINNED; m <= DMA_BUF_MEM_MODEL_REVOCABLE; m++)
		if (sysfs_streq(name, dma_buf_mem_model_name(m)))
			return m;
	return -EINVAL;
}

static long pfn_ref_create(struct pfn_ref_exp_create __user *uarg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct pfn_ref_exp_create arg;
	struct pfn_ref_buf *buf;
	int model, fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !arg.nr_ranges || arg.nr_ranges > PFN_REF_MAX_RANGES ||
	    !arg.size || arg.size > PFN_REF_MAX_SIZE ||
	    arg.size % ((u64)arg.nr_ranges * PAGE_SIZE))
		return -EINVAL;

	model = arg.model;
	if (model == PFN_REF_MODEL_DEFAULT)
		model = pfn_ref_parse_model(default_model);
	if ((model < DMA_BUF_MEM_MODEL_PINNED ||
	     model > DMA_BUF_MEM_MODEL_REVOCABLE) &&
	    model != PFN_REF_MODEL_UNDECLARED)
		return -EINVAL;

	buf = kzalloc_obj(*buf);
	if (!buf)
		return -ENOMEM;
	buf->nr_blocks = arg.nr_ranges;
	buf->block_size = arg.size / arg.nr_ranges;
	buf->blocks = pfn_ref_alloc_blocks(buf->nr_blocks, buf->block_size);
	if (!buf->blocks) {
		kfree(buf);
		return -ENOMEM;
	}

	exp_info.ops = &pfn_ref_ops;
	exp_info.size = arg.size;
	exp_info.flags = O_RDWR | O_CLOEXEC;
	exp_info.priv = buf;
	exp_info.mem_model = model;
	if (model == PFN_REF_MODEL_UNDECLARED) {
		exp_info.ops = &pfn_ref_undeclared_ops;
		exp_info.mem_model = DMA_BUF_MEM_MODEL_UNSPECIFIED;
	}
	buf->dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(buf->dmabuf)) {
		long ret = PTR_ERR(buf->dmabuf);

		pfn_ref_free_blocks(buf->blocks, buf->nr_blocks, buf->block_size);
		kfree(buf);
		return ret;
	}

	fd = dma_buf_fd(buf->dmabuf, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(buf->dmabuf);
		return fd;
	}
	if (put_user(fd, &uarg->fd))
		return -EFAULT;	/* the fd stays installed; userspace may close it */
	return 0;
}

static long pfn_ref_move(struct pfn_ref_buf *buf, u8 pattern)
{
	void **blocks, **old;
	unsigned int i;

	blocks = pfn_ref_alloc_blocks(buf->nr_blocks, buf->block_size);
	if (!blocks)
		return -ENOMEM;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	for (i = 0; i < buf->nr_blocks; i++)
		memset(blocks[i], pattern, buf->block_size);
	old = buf->blocks;
	buf->blocks = blocks;
	dma_buf_invalidate_mappings(buf->dmabuf);
	dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
			      false, MAX_SCHEDULE_TIMEOUT);
	dma_resv_unlock(buf->dmabuf->resv);

	pfn_ref_free_blocks(old, buf->nr_blocks, buf->block_size);
	return 0;
}

static long pfn_ref_revoke(struct pfn_ref_buf *buf, bool revoked)
{
	dma_resv_lock(buf->dmabuf->resv, NULL);
	/* v2: dma_buf_set_revoked() sets the state and then notifies */
	dma_buf_set_revoked(buf->dmabuf, revoked);
#ifdef PFN_REF_KAPI_V1
	dma_buf_invalidate_mappings(buf->dmabuf);
#endif
	dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
			      false, MAX_SCHEDULE_TIMEOUT);
	dma_resv_unlock(buf->dmabuf->resv);
	return 0;
}

static long pfn_ref_op(unsigned int cmd, struct pfn_ref_exp_op __user *uarg)
{
	struct pfn_ref_exp_op arg;
	struct dma_buf *dmabuf;
	long ret = -EINVAL;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &pfn_ref_ops)
		goto out;

	if (cmd == PFN_REF_EXP_MOVE &&
	    dmabuf->mem_model == DMA_BUF_MEM_MODEL_DYNAMIC)
		ret = pfn_ref_move(dmabuf->priv, arg.arg);
	else if (cmd == PFN_REF_EXP_REVOKE &&
		 dmabuf->mem_model == DMA_BUF_MEM_MODEL_REVOCABLE)
		ret = pfn_ref_revoke(dmabuf->priv, arg.arg);
out:
	dma_buf_put(dmabuf);
	return ret;
}

static long pfn_ref_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case PFN_REF_EXP_CREATE:
		return pfn_ref_create((void __user *)arg);
	case PFN_REF_EXP_MOVE:
	case PFN_REF_EXP_REVOKE:
		return pfn_ref_op(cmd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pfn_ref_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = pfn_ref_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pfn_ref_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pfn_ref_exp",
	.fops = &pfn_ref_fops,
	.mode = 0600,
};

static int __init pfn_ref_init(void)
{
	if (pfn_ref_parse_model(default_model) < 0) {
		pr_err("pfn_ref_exporter: default_model=%s: use pinned, dynamic or revocable\n",
		       default_model);
		return -EINVAL;
	}
	return misc_register(&pfn_ref_misc);
}

static void __exit pfn_ref_exit(void)
{
	misc_deregister(&pfn_ref_misc);
}

module_init(pfn_ref_init);
module_exit(pfn_ref_exit);
MODULE_DESCRIPTION("pfnsuite reference dma-buf exporter (pinned, dynamic, revocable)");
MODULE_LICENSE("GPL");
