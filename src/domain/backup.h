/*
 * backup.h — encrypted backups that keep erasures (design.md, "Keys and
 * encryption"; mission.md §10).
 *
 * A backup is a consistent online copy of the register database (taken
 * while others use it), encrypted under the master key's backup sub-key
 * (crypto/backup_crypt.h), with a manifest in the clear: time, schema,
 * counts, the audit trail's head and a checksum of the database. The master
 * key itself is never in a backup: whoever restores needs it separately.
 *
 * A restore goes into a new data directory and, before the register there
 * may be opened, erases again everyone erased since the backup was taken:
 * the union of the backup's own erasure ledger and the live register's.
 * Until that is done the directory holds SARGS_RESTORE_MARKER, and
 * sargs_reg_open refuses it.
 *
 * Plaintext copies of the database (the snapshot before encryption, the
 * scratch copy a verify opens) are made 0600, then overwritten with zeros
 * and removed whatever happens.
 */
#ifndef SARGS_BACKUP_H
#define SARGS_BACKUP_H

#include "domain/register.h"
#include "util/rc.h"
#include "util/timeutil.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_BACKUP_FORMAT "sargs-backup-1"
#define SARGS_BACKUP_SAMPLE 20     /* subjects decrypted by a verify */
#define SARGS_BACKUP_COPIES_MAX 2

/* What the manifest says (all of it holds no personal data). */
struct sargs_backup_manifest {
	char created[SARGS_TIME_STR];
	int64_t created_us;
	int schema_version;
	int64_t subjects;
	int64_t erased;             /* erasure ledger entries */
	int64_t audit_entries;
	int64_t audit_seq;          /* the trail's last entry */
	char audit_hash[65];        /* its hash, hex ("" when the trail is empty) */
	char checksum[65];          /* BLAKE2b-256 of the database, hex */
	char key_check[33];         /* tells a wrong master key from damage */
};

/*
 * Backs up reg into each of the n_paths files (1 or 2: a second copy kept
 * apart), each written atomically, 0600, never replacing a file. Audited as
 * "backup.create" with the counts. *out (may be NULL) gets the manifest.
 * When the second copy fails the first stays (and the error says so).
 */
enum sargs_rc sargs_backup_create(struct sargs_reg *reg, const char *const *paths,
				  size_t n_paths, struct sargs_backup_manifest *out,
				  struct sargs_err *err) SARGS_WUR;

/* Reads a backup file's manifest without the key (not yet authenticated). */
enum sargs_rc sargs_backup_manifest_read(const char *file, struct sargs_backup_manifest *out,
					 struct sargs_err *err) SARGS_WUR;

#define SARGS_BACKUP_CHECKS_MAX 12

struct sargs_backup_check {
	const char *name;          /* "decryption", "checksum", ... */
	int ok;
	char detail[256];          /* what was found; never a personal value */
};

struct sargs_backup_report {
	struct sargs_backup_manifest manifest;
	int have_manifest;
	struct sargs_backup_check checks[SARGS_BACKUP_CHECKS_MAX];
	size_t n_checks;
};

/*
 * Verifies a backup by restoring it into a scratch directory and checking:
 * the master key, decryption (every chunk and the manifest authenticated),
 * the checksum, the database's integrity, the counts and audit head against
 * the manifest, the audit chain, and decryption of a sample of subjects
 * (values are wiped unseen). The master key is key_dir's (or
 * SARGS_MASTER_KEY). The scratch copy is wiped and removed.
 * SARGS_OK when every check passed; otherwise the code of the first failed
 * check (rep says which), or an error that stopped the checks (err).
 */
enum sargs_rc sargs_backup_verify(const char *file, const char *key_dir,
				  struct sargs_backup_report *rep, struct sargs_err *err) SARGS_WUR;

struct sargs_backup_restore_result {
	struct sargs_backup_manifest manifest;
	int live_ledger;            /* 1: the live register's ledger was applied */
	int64_t live_entries;       /* entries in it */
	int64_t re_erased;          /* subjects erased again in the restored copy */
	int64_t carried;            /* ledger entries carried over (subjects not in
				     * the backup) */
	int key_copied;             /* master.key was copied into the new directory */
	int64_t partials;           /* partial erasures re-applied (purposes ended,
				     * fields erased after the backup) */
};

/*
 * Restores a backup into into, which must not exist or be an empty
 * directory. The master key is live_dir's (or SARGS_MASTER_KEY); when it
 * comes from live_dir's key file that file is copied (0600) into into.
 * Before the restored register is usable, every subject in the union of
 * the backup's erasure ledger and live_dir's is erased again (audited as
 * "subject.erase" with reason "restore") and the live entries are added to
 * the restored ledger; then "backup.restore" is audited there. A live_dir
 * without a register is fine (only the backup's ledger applies); one that
 * cannot be opened stops the restore unless skip_live is set (then only the
 * backup's ledger applies, and the caller has said so knowingly). On
 * failure nothing is left in into.
 */
enum sargs_rc sargs_backup_restore(const char *file, const char *live_dir, int skip_live,
				   const char *into, struct sargs_backup_restore_result *out,
				   struct sargs_err *err) SARGS_WUR;

#endif
