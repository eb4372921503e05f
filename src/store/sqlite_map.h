/*
 * sqlite_map.h — the SQLite file layer the register's connections use: the
 * default (unix) one, plus reads of the database file straight from a
 * memory map of the whole file.
 *
 * Why: SQLite maps at most SQLITE_MAX_MMAP_SIZE of a database (2 GB in
 * Debian's build) and reads the rest with a system call and a copy per
 * page. A reader also drops its page cache whenever another connection has
 * committed, and the server's worker commits hundreds of times a second (the
 * audit entries of the reads), so each read fetched every page it touched
 * again. Pages served from a map skip both the copy and the cache.
 *
 * How: SQLite asks the file layer for a page through xFetch only on a
 * connection whose mmap_size is above zero (sargs_store_tune_server sets it
 * on the server's readers). This layer answers from one read-only shared
 * mapping of the file, reserved far larger than the file (1 TiB of address
 * space, no memory) so that it need never move while SQLite holds pages from
 * it; a page beyond the file's size as last seen is refused, and SQLite then
 * reads it the ordinary way. Pages still in the write-ahead log never come
 * here: SQLite reads those from the log.
 *
 * The cost is SQLite's own for memory-mapped I/O: a disk error while reading
 * a mapped page stops the process (SIGBUS) instead of failing one statement.
 * Only src/store/ includes this header.
 */
#ifndef SARGS_STORE_SQLITE_MAP_H
#define SARGS_STORE_SQLITE_MAP_H

#include <stdint.h>

/* The layer's name for sqlite3_open_v2, registered on the first call
 * (thread-safe); NULL when it could not be (SQLite's default is used then). */
const char *sq_map_vfs(void);

/* Pages served from maps since the process started, give or take the last
 * 63 of each open file (tests). */
uint64_t sq_map_pages(void);

#endif
