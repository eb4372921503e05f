/*
 * sqlite_map.c — SQLite's unix file layer with whole-file mapped reads
 * (sqlite_map.h says why).
 *
 * Every method but four passes straight to the unix layer's. The four:
 * xOpen wraps the file; xFetch serves a page of the main database file from
 * the file's mapping (one per file in the process, shared by its
 * connections); xUnfetch of one page does nothing (the mapping is never
 * moved or shrunk while a connection uses it, so a page handed out stays
 * valid), and xUnfetch of everything (SQLite's signal that another
 * connection changed the database) looks at the file's size again; xClose
 * lets go of the mapping, which goes with its last user.
 */
#define _GNU_SOURCE
#include "store/sqlite_map.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define MAP_NAME "sargs-map"
/* Address space only: pages are backed by the file and mapped on first touch.
 * The database can grow to this size without the mapping having to move. */
#define MAP_RESERVE ((size_t)1 << (sizeof(size_t) >= 8 ? 40 : 30))

struct map_file {
	sqlite3_file base;  /* pMethods: map_io; must be first */
	sqlite3_file *real; /* the unix layer's file, in the same allocation */
	int main_db;        /* SQLITE_OPEN_MAIN_DB: pages may be fetched */
	dev_t dev;          /* the file as stat() saw it when it was opened */
	ino_t ino;
	int tried;          /* a mapping was attempted (it is made once) */
	unsigned char *map; /* the file's shared mapping (MAP_RESERVE bytes), or NULL */
	int64_t size;       /* the file's size when last looked at */
	uint64_t served;    /* pages served, not yet added to map_served */
};

/* One mapping per file for the whole process, shared by its connections:
 * each page then needs mapping into the process once, not once per
 * connection. Found by device and inode; unmapped with its last user. */
struct shared_map {
	dev_t dev;
	ino_t ino;
	unsigned char *map;
	int users;
	struct shared_map *next;
};

static pthread_mutex_t maps_mu = PTHREAD_MUTEX_INITIALIZER;
static struct shared_map *maps;

/* The mapping of f's file, made on first use; NULL when it cannot be. */
static unsigned char *map_get(struct map_file *f, int fd)
{
	struct shared_map *m;
	unsigned char *out = NULL;

	pthread_mutex_lock(&maps_mu);
	for (m = maps; m && (m->dev != f->dev || m->ino != f->ino); m = m->next)
		;
	if (m == NULL) {
		void *addr = mmap(NULL, MAP_RESERVE, PROT_READ, MAP_SHARED, fd, 0);

		m = addr == MAP_FAILED ? NULL : calloc(1, sizeof(*m));
		if (m != NULL) {
			m->dev = f->dev;
			m->ino = f->ino;
			m->map = addr;
			m->next = maps;
			maps = m;
		} else if (addr != MAP_FAILED) {
			(void)munmap(addr, MAP_RESERVE);
		}
	}
	if (m != NULL) {
		m->users++;
		out = m->map;
	}
	pthread_mutex_unlock(&maps_mu);
	return out;
}

static void map_put(struct map_file *f)
{
	struct shared_map **pm, *m;

	pthread_mutex_lock(&maps_mu);
	for (pm = &maps; (m = *pm) != NULL; pm = &m->next) {
		if (m->map == f->map) {
			if (--m->users == 0) {
				*pm = m->next;
				(void)munmap(m->map, MAP_RESERVE);
				free(m);
			}
			break;
		}
	}
	pthread_mutex_unlock(&maps_mu);
}

static sqlite3_vfs map_vfs;
static sqlite3_io_methods map_io;
static pthread_once_t map_once = PTHREAD_ONCE_INIT;
static int map_ok;
static _Atomic uint64_t map_served;

#define REAL(f) (((struct map_file *)(f))->real)

/* The unix layer's file begins with its methods, its layer, its inode
 * record and then its descriptor; that layout has not changed since SQLite
 * 3.6. The descriptor is used only when it names the very file opened
 * (same device and inode), so a different layout turns mapping off rather
 * than mapping anything else. */
struct unix_file_head {
	const sqlite3_io_methods *methods;
	sqlite3_vfs *vfs;
	void *inode;
	int fd;
};

static int file_fd(struct map_file *f)
{
	const struct unix_file_head *u = (const struct unix_file_head *)(void *)f->real;
	struct stat sb;

	if (u->fd < 0 || fstat(u->fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_dev != f->dev ||
	    sb.st_ino != f->ino)
		return -1;
	return u->fd;
}

static void flush_served(struct map_file *f)
{
	if (f->served) {
		atomic_fetch_add_explicit(&map_served, f->served, memory_order_relaxed);
		f->served = 0;
	}
}

static int map_close(sqlite3_file *file)
{
	struct map_file *f = (struct map_file *)file;
	int rc;

	flush_served(f);
	if (f->map)
		map_put(f);
	f->map = NULL;
	rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
	f->real->pMethods = NULL;
	return rc;
}

static int map_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int map_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int map_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct map_file *f = (struct map_file *)file;

	if (size < f->size)
		f->size = size;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int map_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int map_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int map_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int map_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int map_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int map_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int map_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int map_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int map_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, pp);
}

static int map_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void map_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int map_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

/* The file's size now, into f->size; 0 on success. */
static int look_at_size(struct map_file *f)
{
	sqlite3_int64 size;

	if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
		return -1;
	f->size = size;
	return 0;
}

static int map_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
	struct map_file *f = (struct map_file *)file;

	*pp = NULL;
	if (!f->main_db || off < 0 || amt <= 0)
		return SQLITE_OK;
	if (!f->tried) {
		int fd = file_fd(f);

		f->tried = 1;
		if (fd >= 0)
			f->map = map_get(f, fd);
		if (f->map && look_at_size(f) != 0)
			f->size = 0;
	}
	if (f->map == NULL)
		return SQLITE_OK;
	/* beyond the reservation: read the ordinary way */
	if (off > (sqlite3_int64)MAP_RESERVE - amt)
		return SQLITE_OK;
	/* past the end as last seen: the file may have grown since */
	if (off + amt > f->size && (look_at_size(f) != 0 || off + amt > f->size))
		return SQLITE_OK;
	*pp = f->map + off;
	if (++f->served == 64) /* added up in batches: one counter, many threads */
		flush_served(f);
	return SQLITE_OK;
}

static int map_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	struct map_file *f = (struct map_file *)file;

	(void)off;
	if (p == NULL && f->map) {
		/* another connection changed the database: it may have grown or
		 * (after a vacuum) shrunk; no page of this one is out now */
		flush_served(f);
		if (look_at_size(f) != 0)
			f->size = 0;
	}
	return SQLITE_OK;
}

static int map_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		    int *out_flags)
{
	sqlite3_vfs *real_vfs = vfs->pAppData;
	struct map_file *f = (struct map_file *)file;
	int rc;

	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(void *)((unsigned char *)file + sizeof(struct map_file));
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc == SQLITE_OK && f->real->pMethods && f->real->pMethods->iVersion < 3) {
		/* the methods below pass on the shared-memory and fetch calls
		 * that a version 3 file has (the unix layer's files all do) */
		rc = SQLITE_CANTOPEN;
	}
	if (rc != SQLITE_OK || f->real->pMethods == NULL) {
		/* SQLite calls xClose only on a file whose pMethods is set */
		if (f->real->pMethods)
			(void)f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
	}
	if ((flags & SQLITE_OPEN_MAIN_DB) && name) {
		struct stat sb;

		if (stat(name, &sb) == 0 && S_ISREG(sb.st_mode)) {
			f->main_db = 1;
			f->dev = sb.st_dev;
			f->ino = sb.st_ino;
		}
	}
	f->base.pMethods = &map_io;
	return SQLITE_OK;
}

static int map_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xDelete(r, name, sync_dir);
}

static int map_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xAccess(r, name, flags, out);
}

static int map_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xFullPathname(r, name, n, out);
}

static void *map_dl_open(sqlite3_vfs *vfs, const char *name)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xDlOpen(r, name);
}

static void map_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	sqlite3_vfs *r = vfs->pAppData;

	r->xDlError(r, n, msg);
}

static void (*map_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xDlSym(r, h, sym);
}

static void map_dl_close(sqlite3_vfs *vfs, void *h)
{
	sqlite3_vfs *r = vfs->pAppData;

	r->xDlClose(r, h);
}

static int map_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xRandomness(r, n, out);
}

static int map_sleep(sqlite3_vfs *vfs, int us)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xSleep(r, us);
}

static int map_current_time(sqlite3_vfs *vfs, double *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xCurrentTime(r, out);
}

static int map_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xGetLastError(r, n, out);
}

static int map_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	sqlite3_vfs *r = vfs->pAppData;

	return r->xCurrentTimeInt64(r, out);
}

static void map_register(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find("unix");

	/* the mapping needs the unix layer's descriptor (file_fd) and 64-bit
	 * address space; anything else keeps SQLite's default */
	if (real == NULL || real->iVersion < 2 || sizeof(size_t) < 8)
		return;
	map_vfs.iVersion = 2;
	map_vfs.szOsFile = (int)sizeof(struct map_file) + real->szOsFile;
	map_vfs.mxPathname = real->mxPathname;
	map_vfs.zName = MAP_NAME;
	map_vfs.pAppData = real;
	map_vfs.xOpen = map_open;
	map_vfs.xDelete = map_delete;
	map_vfs.xAccess = map_access;
	map_vfs.xFullPathname = map_full_pathname;
	map_vfs.xDlOpen = map_dl_open;
	map_vfs.xDlError = map_dl_error;
	map_vfs.xDlSym = map_dl_sym;
	map_vfs.xDlClose = map_dl_close;
	map_vfs.xRandomness = map_randomness;
	map_vfs.xSleep = map_sleep;
	map_vfs.xCurrentTime = map_current_time;
	map_vfs.xGetLastError = map_last_error;
	map_vfs.xCurrentTimeInt64 = map_current_time64;

	map_io.iVersion = 3;
	map_io.xClose = map_close;
	map_io.xRead = map_read;
	map_io.xWrite = map_write;
	map_io.xTruncate = map_truncate;
	map_io.xSync = map_sync;
	map_io.xFileSize = map_file_size;
	map_io.xLock = map_lock;
	map_io.xUnlock = map_unlock;
	map_io.xCheckReservedLock = map_check_reserved;
	map_io.xFileControl = map_file_control;
	map_io.xSectorSize = map_sector_size;
	map_io.xDeviceCharacteristics = map_device_characteristics;
	map_io.xShmMap = map_shm_map;
	map_io.xShmLock = map_shm_lock;
	map_io.xShmBarrier = map_shm_barrier;
	map_io.xShmUnmap = map_shm_unmap;
	map_io.xFetch = map_fetch;
	map_io.xUnfetch = map_unfetch;
	map_ok = sqlite3_vfs_register(&map_vfs, 0) == SQLITE_OK;
}

const char *sq_map_vfs(void)
{
	(void)pthread_once(&map_once, map_register);
	return map_ok ? MAP_NAME : NULL;
}

uint64_t sq_map_pages(void)
{
	return atomic_load_explicit(&map_served, memory_order_relaxed);
}
