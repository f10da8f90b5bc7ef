/* linux.resources.cpu.idle and burst, blockIO, hugepageLimits and rdma of a
 * profile or bundle: the cgroup v2 files runc and crun write for them, added
 * to the leaf's unified files ahead of the bundle's own `unified` (whose entry
 * for the same file replaces ours, as a unified value wins in runc and crun):
 * - cpu.idle (0 or 1) -> cpu.idle; cpu.burst (microseconds) -> cpu.max.burst,
 *   written after cpu.max, which bounds it.
 * - blockIO.weight (10-1000) -> io.weight, scaled to 1-10000 as runc and
 *   crun do where BFQ's io.bfq.weight is absent: 1 + (w - 10) * 9999 / 990.
 *   leafWeight and weightDevice (cgroup v1's and BFQ's) are not implemented.
 * - blockIO.throttle{Read,Write}{Bps,IOPS}Device -> io.max, one line per
 *   device: "MAJ:MIN rbps=N wbps=N riops=N wiops=N" (those given).
 * - hugepageLimits[] -> hugetlb.<pageSize>.max (the size as the kernel names
 *   it: 2MB, 1GB).
 * - rdma.<device> -> rdma.max, one line per device: "DEV hca_handle=N
 *   hca_object=N" (as runc; crun has no rdma on cgroup v2).
 * A value of several lines is written one line at a time (src/cgroup.c):
 * io.max and rdma.max take one device per write. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringfence/cleanup.h"
#include "profile-internal.h"

#define BLKIO_WEIGHT_MIN 10
#define BLKIO_WEIGHT_MAX 1000

/* ================================================================ cpu */

int pf_oci_cpu_files(pf_ctx *c, const char *path, const rf_json *cpu)
{
	const rf_json *idle = pf_get(cpu, "idle"), *burst = pf_get(cpu, "burst");
	char sub[PF_PATH_MAX], buf[32];
	int64_t i;
	uint64_t u;

	if (idle) {
		pf_key_path(sub, path, "idle");
		if (pf_i64(c, sub, idle, 0, 1, &i) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%lld", (long long)i);
		if (pf_unified_add(c, sub, "cpu.idle", buf) < 0)
			return -1;
	}
	if (burst) {
		pf_key_path(sub, path, "burst");
		if (pf_u64(c, sub, burst, 0, INT64_MAX, &u) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u);
		if (pf_unified_add(c, sub, "cpu.max.burst", buf) < 0)
			return -1;
	}
	return 0;
}

/* ================================================================ blockIO */

/* One io.max line in the making. */
struct io_dev {
	int64_t major, minor;
	char keys[128];          /* " rbps=N wbps=N ..." */
};

struct io_devs {
	struct io_dev *v;
	size_t n;
};

static struct io_dev *io_dev_get(pf_ctx *c, const char *path, struct io_devs *d,
				 int64_t major, int64_t minor)
{
	struct io_dev *grown;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].major == major && d->v[i].minor == minor)
			return &d->v[i];
	grown = realloc(d->v, (d->n + 1) * sizeof(*grown));
	if (!grown) {
		rf_error_set(c->err, ENOMEM, "%s", path);
		return NULL;
	}
	d->v = grown;
	d->v[d->n] = (struct io_dev){ .major = major, .minor = minor };
	return &d->v[d->n++];
}

/* blockIO.throttle*Device: [{major, minor, rate}] as io.max's `key`. */
static int throttle(pf_ctx *c, const char *path, const rf_json *v, const char *key,
		    struct io_devs *d)
{
	static const pf_member keys[] = {
		{ "major", NULL }, { "minor", NULL }, { "rate", NULL },
	};

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const rf_json *e = rf_json_array_at(v, i);
		char at[PF_PATH_MAX], sub[PF_PATH_MAX];
		int64_t major, minor;
		uint64_t rate;
		struct io_dev *dev;
		size_t used;

		pf_index_path(at, path, i);
		if (pf_walk(c, at, e, keys, RF_ARRAY_SIZE(keys)) < 0)
			return -1;
		/* The kernel's dev_t: 12 bits of major, 20 of minor. */
		if (!pf_get(e, "major") || !pf_get(e, "minor") || !pf_get(e, "rate"))
			return pf_fail(c, at, "give major, minor and rate");
		if (pf_i64(c, pf_key_path(sub, at, "major"), pf_get(e, "major"), 0, 0xfff,
			   &major) < 0 ||
		    pf_i64(c, pf_key_path(sub, at, "minor"), pf_get(e, "minor"), 0, 0xfffff,
			   &minor) < 0 ||
		    pf_u64(c, pf_key_path(sub, at, "rate"), pf_get(e, "rate"), 0, UINT64_MAX,
			   &rate) < 0)
			return -1;
		dev = io_dev_get(c, at, d, major, minor);
		if (!dev)
			return -1;
		used = strlen(dev->keys);
		/* a later entry for the same device and key wins, as in runc */
		if (snprintf(dev->keys + used, sizeof(dev->keys) - used, " %s=%llu", key,
			     (unsigned long long)rate) >= (int)(sizeof(dev->keys) - used))
			return pf_fail(c, at, "too many limits for device %lld:%lld",
				       (long long)major, (long long)minor);
	}
	return 0;
}

static int io_max(pf_ctx *c, const char *path, const struct io_devs *d)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!d->n)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return rf_error_set(c->err, errno, "%s", path);
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s%lld:%lld%s", i ? "\n" : "", (long long)d->v[i].major,
			(long long)d->v[i].minor, d->v[i].keys);
	if (fclose(f) != 0)
		return rf_error_set(c->err, ENOMEM, "%s", path);
	return pf_unified_add(c, path, "io.max", text);
}

int pf_oci_blockio(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = {
		{ "weight", NULL },
		{ "throttleReadBpsDevice", NULL }, { "throttleWriteBpsDevice", NULL },
		{ "throttleReadIOPSDevice", NULL }, { "throttleWriteIOPSDevice", NULL },
	};
	static const struct {
		const char *key, *file_key;
	} throttles[] = {
		{ "throttleReadBpsDevice", "rbps" }, { "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" }, { "throttleWriteIOPSDevice", "wiops" },
	};
	struct io_devs devs = { 0 };
	char sub[PF_PATH_MAX];
	int r = 0;

	if (pf_walk(c, path, v, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (pf_get(v, "weight")) {
		uint64_t w;
		char buf[32];

		pf_key_path(sub, path, "weight");
		if (pf_u64(c, sub, pf_get(v, "weight"), 0, BLKIO_WEIGHT_MAX, &w) < 0)
			return -1;
		if (w && w < BLKIO_WEIGHT_MIN)   /* 0 is "not set", as in runc */
			return pf_fail(c, sub, "%llu is below %d (expected 10-1000)",
				       (unsigned long long)w, BLKIO_WEIGHT_MIN);
		if (w) {
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)(1 + (w - BLKIO_WEIGHT_MIN) * 9999 /
						      (BLKIO_WEIGHT_MAX - BLKIO_WEIGHT_MIN)));
			if (pf_unified_add(c, sub, "io.weight", buf) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < RF_ARRAY_SIZE(throttles) && r == 0; i++) {
		const rf_json *t = pf_get(v, throttles[i].key);

		if (t)
			r = throttle(c, pf_key_path(sub, path, throttles[i].key), t,
				     throttles[i].file_key, &devs);
	}
	if (r == 0)
		r = io_max(c, path, &devs);
	free(devs.v);
	return r;
}

/* ================================================================ hugepageLimits */

/* "2MB", "1GB", "64KB": the name the kernel gives a huge page size in
 * hugetlb.<size>.max. */
static bool page_size_name(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && digits < 16 && s[0] != '0' && strchr("KMG", s[digits]) &&
	       s[digits] && !strcmp(s + digits + 1, "B");
}

int pf_oci_hugepages(pf_ctx *c, const char *path, const rf_json *v)
{
	static const pf_member keys[] = { { "pageSize", NULL }, { "limit", NULL } };

	if (pf_expect(c, path, v, RF_JSON_ARRAY) < 0)
		return -1;
	for (size_t i = 0; i < rf_json_array_len(v); i++) {
		const rf_json *e = rf_json_array_at(v, i);
		char at[PF_PATH_MAX], sub[PF_PATH_MAX], file[64], value[32];
		const char *size;
		uint64_t limit;

		pf_index_path(at, path, i);
		if (pf_walk(c, at, e, keys, RF_ARRAY_SIZE(keys)) < 0)
			return -1;
		if (!pf_get(e, "pageSize") || !pf_get(e, "limit"))
			return pf_fail(c, at, "give pageSize and limit");
		pf_key_path(sub, at, "pageSize");
		if (pf_string(c, sub, pf_get(e, "pageSize"), &size) < 0)
			return -1;
		if (!page_size_name(size))
			return pf_fail(c, sub, "`%.32s` is not a huge page size (expected the "
				       "kernel's name, e.g. 2MB or 1GB)", size);
		if (pf_u64(c, pf_key_path(sub, at, "limit"), pf_get(e, "limit"), 0, UINT64_MAX,
			   &limit) < 0)
			return -1;
		snprintf(file, sizeof(file), "hugetlb.%s.max", size);
		snprintf(value, sizeof(value), "%llu", (unsigned long long)limit);
		if (pf_unified_add(c, at, file, value) < 0)
			return -1;
	}
	return 0;
}

/* ================================================================ rdma */

/* An RDMA device name as the kernel prints it in rdma.max. */
static bool rdma_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.:", *s))
			return false;
	return true;
}

static int rdma_line(pf_ctx *c, const char *path, const char *dev, const rf_json *e, FILE *f)
{
	static const pf_member keys[] = { { "hcaHandles", NULL }, { "hcaObjects", NULL } };
	static const struct {
		const char *key, *file_key;
	} counts[] = { { "hcaHandles", "hca_handle" }, { "hcaObjects", "hca_object" } };
	bool any = false;

	if (pf_walk(c, path, e, keys, RF_ARRAY_SIZE(keys)) < 0)
		return -1;
	if (!rdma_name(dev))
		return pf_fail(c, path, "not an RDMA device name");
	fputs(dev, f);
	for (size_t i = 0; i < RF_ARRAY_SIZE(counts); i++) {
		char sub[PF_PATH_MAX];
		uint64_t n;

		if (!pf_get(e, counts[i].key))
			continue;
		if (pf_u64(c, pf_key_path(sub, path, counts[i].key), pf_get(e, counts[i].key), 0,
			   UINT32_MAX, &n) < 0)
			return -1;
		fprintf(f, " %s=%llu", counts[i].file_key, (unsigned long long)n);
		any = true;
	}
	if (!any)
		return pf_fail(c, path, "give hcaHandles or hcaObjects");
	return 0;
}

int pf_oci_rdma(pf_ctx *c, const char *path, const rf_json *v)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	if (pf_expect(c, path, v, RF_JSON_OBJECT) < 0)
		return -1;
	if (!rf_json_object_len(v))
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return rf_error_set(c->err, errno, "%s", path);
	for (size_t i = 0; i < rf_json_object_len(v) && r == 0; i++) {
		char sub[PF_PATH_MAX];

		if (i)
			fputc('\n', f);
		r = rdma_line(c, pf_key_path(sub, path, rf_json_object_key(v, i)),
			      rf_json_object_key(v, i), rf_json_object_value(v, i), f);
	}
	if (fclose(f) != 0 && r == 0)
		r = rf_error_set(c->err, ENOMEM, "%s", path);
	return r < 0 ? -1 : pf_unified_add(c, path, "rdma.max", text);
}
