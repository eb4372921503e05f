/*
 * backup_crypt.h — the encrypted backup file: a manifest in the clear at the
 * front, then the database encrypted as a stream of chunks with libsodium's
 * crypto_secretstream_xchacha20poly1305.
 *
 * Layout:
 *   "SARGSBK1"                 8 bytes, the format
 *   manifest length            4 bytes, big-endian, at most
 *                              SARGS_BACKUP_MANIFEST_MAX
 *   manifest                   that many bytes (JSON; no personal data)
 *   secretstream header        24 bytes
 *   chunks                     each SARGS_BACKUP_CHUNK plaintext bytes +
 *                              17 bytes of overhead; the last one (maybe
 *                              shorter, maybe empty) carries the FINAL tag
 * The first chunk authenticates everything before the stream header as its
 * additional data: the manifest can be read without the key (verify shows
 * it), but changing it makes decryption fail. A stream cut short lacks the
 * FINAL tag and fails too; chunks cannot be reordered or dropped.
 *
 * The key is the master key's backup sub-key (SARGS_SUBKEY_BACKUP). Files are
 * read and written in chunks: the database is never whole in memory.
 */
#ifndef SARGS_BACKUP_CRYPT_H
#define SARGS_BACKUP_CRYPT_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>

#define SARGS_BACKUP_MAGIC "SARGSBK1"
#define SARGS_BACKUP_MANIFEST_MAX 65536
#define SARGS_BACKUP_CHUNK 65536
#define SARGS_BACKUP_SUM_BYTES 32       /* BLAKE2b of the plaintext database */
#define SARGS_BACKUP_KEY_CHECK_BYTES 16

/*
 * A keyed BLAKE2b of a constant under key: stored in the manifest so that a
 * wrong master key is told apart from a damaged file. It reveals nothing
 * of the key.
 */
void sargs_backup_key_check(const unsigned char key[SARGS_KEY_BYTES],
			    unsigned char out[SARGS_BACKUP_KEY_CHECK_BYTES]);

/* The BLAKE2b-256 of a file's content, read in chunks. */
enum sargs_rc sargs_backup_checksum_file(const char *path,
					 unsigned char out[SARGS_BACKUP_SUM_BYTES],
					 struct sargs_err *err) SARGS_WUR;

/*
 * Encrypts the file in_path into a new backup file out_path with manifest
 * (a NUL-terminated string) in front. out_path appears complete or not at
 * all (written to a temporary name beside it, synced, then linked into
 * place), mode 0600; an existing out_path is never replaced
 * (SARGS_E_EXISTS).
 */
enum sargs_rc sargs_backup_encrypt_file(const char *in_path, const char *out_path,
					const unsigned char key[SARGS_KEY_BYTES],
					const char *manifest, struct sargs_err *err) SARGS_WUR;

/*
 * Reads the manifest of a backup file without decrypting anything: a new
 * NUL-terminated string in *manifest (caller frees). SARGS_E_INVALID when
 * the file is not a Sargs backup. The manifest is not yet authenticated:
 * only a successful decryption proves it unchanged.
 */
enum sargs_rc sargs_backup_read_manifest(const char *path, char **manifest,
					 struct sargs_err *err) SARGS_WUR;

/*
 * Decrypts the backup file in_path into a new file out_path (created 0600;
 * refused when it exists), and gives the BLAKE2b of what it wrote in sum.
 * SARGS_E_CRYPTO when a chunk fails authentication (wrong key, or the file
 * was altered, damaged or cut short): the partial output is then wiped and
 * removed. The manifest is authenticated along the way.
 */
enum sargs_rc sargs_backup_decrypt_file(const char *in_path, const char *out_path,
					const unsigned char key[SARGS_KEY_BYTES],
					unsigned char sum[SARGS_BACKUP_SUM_BYTES],
					struct sargs_err *err) SARGS_WUR;

/*
 * Overwrites a file with zeros, syncs it and removes it; a missing file is
 * fine. For plaintext copies of the register: its content is ciphertext and
 * keyed hashes, but the copy should not outlive its use in any form.
 * Returns -1 when the file existed and could not be removed.
 */
int sargs_backup_wipe_file(const char *path);

#endif
