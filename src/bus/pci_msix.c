/* MSI-X: capability, vector table and pending bit array as a pure model. */
#include "bus/pci_msix.h"

#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { ADDR_LO, ADDR_HI, DATA, CTRL };

static bool bar_is_mem(const struct pci_device *dev, unsigned int bar)
{
	return bar < PCI_NUM_BARS && (dev->bars[bar].kind == PCI_BAR_MEM32 ||
				      dev->bars[bar].kind == PCI_BAR_MEM64);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int pci_msix_init(struct pci_msix *m, struct pci_device *dev,
		  unsigned int nr_vectors, unsigned int table_bar,
		  uint64_t table_off, unsigned int pba_bar, uint64_t pba_off,
		  const struct pci_msix_ops *ops, void *opaque)
{
	uint64_t tsize = pci_msix_table_size(nr_vectors);
	uint64_t psize = pci_msix_pba_size(nr_vectors);
	if (!nr_vectors || nr_vectors > PCI_MSIX_MAX_VECTORS || dev->msix ||
	    !bar_is_mem(dev, table_bar) || !bar_is_mem(dev, pba_bar) ||
	    table_off % 8 || pba_off % 8 || table_off > UINT32_MAX ||
	    pba_off > UINT32_MAX || table_off + tsize > dev->bars[table_bar].size ||
	    pba_off + psize > dev->bars[pba_bar].size ||
	    (table_bar == pba_bar && ranges_overlap(table_off, tsize, pba_off, psize)))
		return -EINVAL;

	memset(m, 0, sizeof(*m));
	m->table = calloc(nr_vectors, sizeof(m->table[0]));
	m->pba = calloc(psize / 8, sizeof(uint64_t));
	m->routes = calloc(nr_vectors, sizeof(m->routes[0]));
	if (!m->table || !m->pba || !m->routes) {
		pci_msix_destroy(m);
		return -ENOMEM;
	}
	uint8_t cap[12] = { PCI_CAP_ID_MSIX, 0 };
	uint16_t ctrl = (uint16_t)(nr_vectors - 1);
	uint32_t t = (uint32_t)table_off | table_bar, p = (uint32_t)pba_off | pba_bar;
	cap[2] = (uint8_t)ctrl;
	cap[3] = (uint8_t)(ctrl >> 8);
	for (int i = 0; i < 4; i++) {
		cap[4 + i] = (uint8_t)(t >> (8 * i));
		cap[8 + i] = (uint8_t)(p >> (8 * i));
	}
	int off = pci_add_capability(dev, cap, sizeof(cap));
	if (off < 0) {
		pci_msix_destroy(m);
		return off;
	}
	pci_config_set_wmask(dev, (unsigned)off + PCI_MSIX_FLAGS, 2,
			     PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	pthread_mutex_init(&m->lock, NULL);
	m->dev = dev;
	m->nr_vectors = nr_vectors;
	m->table_bar = table_bar;
	m->table_off = table_off;
	m->pba_bar = pba_bar;
	m->pba_off = pba_off;
	m->ops = ops;
	m->opaque = opaque;
	for (unsigned int i = 0; i < nr_vectors; i++) {
		m->table[i][CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		m->routes[i].masked = true;
	}
	dev->msix = m;
	dev->msix_cap = (uint8_t)off;
	return 0;
}

void pci_msix_destroy(struct pci_msix *m)
{
	if (m->dev) {
		m->dev->msix = NULL;
		pthread_mutex_destroy(&m->lock);
	}
	free(m->table);
	free(m->pba);
	free(m->routes);
	m->table = NULL;
	m->pba = NULL;
	m->routes = NULL;
	m->dev = NULL;
}

static struct pci_msix_route route_of(const struct pci_msix *m, unsigned int v)
{
	return (struct pci_msix_route){
		.addr = m->table[v][ADDR_LO] | (uint64_t)m->table[v][ADDR_HI] << 32,
		.data = m->table[v][DATA],
		.masked = !m->enabled || m->function_masked ||
			  (m->table[v][CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT),
	};
}

static bool pending(const struct pci_msix *m, unsigned int v)
{
	return m->pba[v / 64] >> (v % 64) & 1;
}

/* Report a vector whose effective route changed; deliver what was pending
 * once it is unmasked. Lock held. */
static void refresh(struct pci_msix *m, unsigned int v)
{
	struct pci_msix_route now = route_of(m, v);
	struct pci_msix_route *was = &m->routes[v];
	bool changed = now.masked != was->masked ||
		       (!now.masked && (now.addr != was->addr || now.data != was->data));
	*was = now;
	if (changed && m->ops && m->ops->vector_changed)
		m->ops->vector_changed(m->opaque, v, &now);
	if (!now.masked && pending(m, v)) {
		m->pba[v / 64] &= ~(1ull << (v % 64));
		if (m->ops && m->ops->deliver)
			m->ops->deliver(m->opaque, v, now.addr, now.data);
	}
}

void pci_msix_control_written(struct pci_msix *m, uint16_t control)
{
	pthread_mutex_lock(&m->lock);
	m->enabled = control & PCI_MSIX_FLAGS_ENABLE;
	m->function_masked = control & PCI_MSIX_FLAGS_MASKALL;
	for (unsigned int v = 0; v < m->nr_vectors; v++)
		refresh(m, v);
	pthread_mutex_unlock(&m->lock);
}

/* Where an access falls: 1 table, 2 PBA, 0 neither; -1 it touches one of
 * them but is not a 4- or 8-byte naturally aligned access inside it. */
static int classify(const struct pci_msix *m, unsigned int bar, uint64_t off,
		    unsigned int size)
{
	uint64_t tsize = pci_msix_table_size(m->nr_vectors);
	uint64_t psize = pci_msix_pba_size(m->nr_vectors);
	int which = 0;
	uint64_t start = 0, len = 0;
	if (size == 0 || size > 8 || off > UINT64_MAX - size)
		return 0;
	if (bar == m->table_bar && ranges_overlap(off, size, m->table_off, tsize)) {
		which = 1;
		start = m->table_off;
		len = tsize;
	} else if (bar == m->pba_bar && ranges_overlap(off, size, m->pba_off, psize)) {
		which = 2;
		start = m->pba_off;
		len = psize;
	} else {
		return 0;
	}
	if ((size != 4 && size != 8) || off % size || off < start ||
	    off - start + size > len)
		return -1;
	return which;
}

static void refuse(struct pci_msix *m, uint64_t off, unsigned int size)
{
	m->bad_accesses++;
	pr_guest(LOG_DEBUG, "pci %s: refused %u-byte MSI-X access at 0x%llx",
		 m->dev ? m->dev->name : "?", size, (unsigned long long)off);
}

bool pci_msix_mmio_read(struct pci_msix *m, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t *val)
{
	int which = classify(m, bar, off, size);
	if (!which)
		return false;
	*val = 0;
	pthread_mutex_lock(&m->lock);
	if (which < 0) {
		refuse(m, off, size);
	} else if (which == 1) {
		uint64_t dw = (off - m->table_off) / 4;
		for (unsigned int i = 0; i < size / 4; i++, dw++)
			*val |= (uint64_t)m->table[dw / 4][dw % 4] << (32 * i);
	} else {
		uint64_t q = (off - m->pba_off) / 8;
		unsigned int shift = (unsigned)((off - m->pba_off) % 8) * 8;
		*val = m->pba[q] >> shift;
		if (size == 4)
			*val &= 0xffffffffu;
	}
	pthread_mutex_unlock(&m->lock);
	return true;
}

bool pci_msix_mmio_write(struct pci_msix *m, unsigned int bar, uint64_t off,
			 unsigned int size, uint64_t val)
{
	int which = classify(m, bar, off, size);
	if (!which)
		return false;
	pthread_mutex_lock(&m->lock);
	if (which < 0) {
		refuse(m, off, size);
	} else if (which == 1) {
		uint64_t dw = (off - m->table_off) / 4;
		unsigned int v = (unsigned)(dw / 4);
		for (unsigned int i = 0; i < size / 4; i++, dw++) {
			uint32_t x = (uint32_t)(val >> (32 * i));
			if (dw % 4 == CTRL)
				x &= PCI_MSIX_ENTRY_CTRL_MASKBIT; /* rest reserved */
			m->table[dw / 4][dw % 4] = x;
		}
		refresh(m, v);
	}
	/* The PBA is read-only. */
	pthread_mutex_unlock(&m->lock);
	return true;
}

bool pci_msix_signal(struct pci_msix *m, unsigned int vector)
{
	bool delivered = false;
	if (vector >= m->nr_vectors)
		return false;
	pthread_mutex_lock(&m->lock);
	struct pci_msix_route r = route_of(m, vector);
	if (!m->enabled) {
		/* Off: the caller falls back to INTx. */
	} else if (r.masked) {
		m->pba[vector / 64] |= 1ull << (vector % 64);
	} else {
		if (m->ops && m->ops->deliver)
			m->ops->deliver(m->opaque, vector, r.addr, r.data);
		delivered = true;
	}
	pthread_mutex_unlock(&m->lock);
	return delivered;
}

bool pci_msix_is_enabled(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	bool e = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return e;
}

bool pci_msix_get_route(struct pci_msix *m, unsigned int vector,
			struct pci_msix_route *route)
{
	if (vector >= m->nr_vectors)
		return false;
	pthread_mutex_lock(&m->lock);
	*route = route_of(m, vector);
	pthread_mutex_unlock(&m->lock);
	return true;
}

void pci_msix_reset(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	m->enabled = false;
	m->function_masked = false;
	memset(m->pba, 0, pci_msix_pba_size(m->nr_vectors));
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		memset(m->table[v], 0, sizeof(m->table[v]));
		m->table[v][CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		refresh(m, v);
	}
	pthread_mutex_unlock(&m->lock);
}

/* ---- Saved state -------------------------------------------------------- */

_Static_assert(sizeof(struct pci_msix_state) ==
		       8 + PCI_MSIX_MAX_VECTORS * 16 + PCI_MSIX_MAX_VECTORS / 8,
	       "pci_msix_state has padding");

void pci_msix_save(struct pci_msix *m, struct pci_msix_state *out)
{
	memset(out, 0, sizeof(*out));
	out->version = PCI_MSIX_STATE_VERSION;
	out->nr_vectors = (uint16_t)m->nr_vectors;
	pthread_mutex_lock(&m->lock);
	out->enabled = m->enabled;
	out->function_masked = m->function_masked;
	memcpy(out->table, m->table, m->nr_vectors * sizeof(m->table[0]));
	memcpy(out->pba, m->pba, pci_msix_pba_size(m->nr_vectors));
	pthread_mutex_unlock(&m->lock);
}

static int check_state(const struct pci_msix *m, const struct pci_msix_state *st,
		       char *err, size_t errlen)
{
	const char *name = m->dev->name;
	if (st->version != PCI_MSIX_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "msix %s: state version %u, "
			      "expected %u", name, st->version, PCI_MSIX_STATE_VERSION);
	if (st->nr_vectors != m->nr_vectors)
		return errmsg(-EINVAL, err, errlen, "msix %s: %u vectors, the "
			      "device has %u", name, st->nr_vectors, m->nr_vectors);
	if (st->enabled > 1 || st->function_masked > 1)
		return errmsg(-EINVAL, err, errlen, "msix %s: bad control bits", name);
	for (unsigned int v = 0; v < PCI_MSIX_MAX_VECTORS; v++) {
		bool pend = st->pba[v / 64] >> (v % 64) & 1;
		uint32_t ctrl = st->table[v][CTRL];
		if (v >= m->nr_vectors) {
			if (pend || st->table[v][ADDR_LO] || st->table[v][ADDR_HI] ||
			    st->table[v][DATA] || ctrl)
				return errmsg(-EINVAL, err, errlen, "msix %s: vector "
					      "%u past the table is set", name, v);
			continue;
		}
		if (ctrl & ~(uint32_t)PCI_MSIX_ENTRY_CTRL_MASKBIT)
			return errmsg(-EINVAL, err, errlen, "msix %s: reserved "
				      "control bits in vector %u", name, v);
		if (pend && st->enabled && !st->function_masked &&
		    !(ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT))
			return errmsg(-EINVAL, err, errlen, "msix %s: vector %u "
				      "pending but not masked", name, v);
	}
	return 0;
}

int pci_msix_restore(struct pci_msix *m, const struct pci_msix_state *in,
		     char *err, size_t errlen)
{
	int r = check_state(m, in, err, errlen);
	if (r)
		return r;
	struct pci_device *dev = m->dev;
	if (dev->bus)
		pthread_mutex_lock(&dev->bus->lock);
	uint16_t ctl = (uint16_t)pci_config_get(dev, dev->msix_cap + PCI_MSIX_FLAGS, 2);
	ctl &= (uint16_t)~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	if (in->enabled)
		ctl |= PCI_MSIX_FLAGS_ENABLE;
	if (in->function_masked)
		ctl |= PCI_MSIX_FLAGS_MASKALL;
	pci_config_put(dev, dev->msix_cap + PCI_MSIX_FLAGS, 2, ctl);
	pthread_mutex_lock(&m->lock);
	m->enabled = in->enabled;
	m->function_masked = in->function_masked;
	memcpy(m->table, in->table, m->nr_vectors * sizeof(m->table[0]));
	memcpy(m->pba, in->pba, pci_msix_pba_size(m->nr_vectors));
	for (unsigned int v = 0; v < m->nr_vectors; v++) {
		m->routes[v] = route_of(m, v);
		if (m->ops && m->ops->vector_changed)
			m->ops->vector_changed(m->opaque, v, &m->routes[v]);
	}
	pthread_mutex_unlock(&m->lock);
	if (dev->bus)
		pthread_mutex_unlock(&dev->bus->lock);
	return 0;
}
