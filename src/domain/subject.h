/*
 * subject.h — data subjects: adding, finding, reading for a purpose,
 * editing and erasing, with data minimisation at the door.
 *
 * A field is stored only when a purpose the subject is linked to asks for it
 * (and so covers its data category) (GDPR Art. 5(1)(c); 000; 002 §2). Typed fields are
 * validated and normalised (e-mail, phone to E.164, Latvian personal code,
 * date) and invalid input is refused with nothing stored. Every read names
 * a purpose and returns only the fields that purpose lists. Every call
 * appends an audit entry naming field names, never values.
 *
 * Erasure is crypto-shredding: the subject's wrapped data key, ciphertexts,
 * blind index rows and purpose links are deleted in one transaction (so an
 * interrupted erase either completed or did not start), the id goes into the
 * erasure ledger, and the database's log is truncated so the deleted bytes
 * do not linger.
 */
#ifndef SARGS_SUBJECT_H
#define SARGS_SUBJECT_H

#include "domain/register.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_FIELD_VALUE_MAX 65536 /* bytes of one field value */
#define SARGS_SOURCE_FIELD "_source" /* who supplied the data, when not the person */

struct sargs_kv {
	const char *name;
	const char *value;
};

struct sargs_subject_input {
	const char *const *purposes;  /* at least one; the purposes of collection */
	size_t n_purposes;
	const char *source;           /* "person", "third_party" or "public" */
	const char *source_name;      /* required unless source is "person" */
	const struct sargs_kv *fields;
	size_t n_fields;
	int defer_audience;           /* the caller refreshes the audience rows
				       * itself, later in the same transaction
				       * (bulk import: once per record) */
};

/*
 * Adds a subject. On success id_out holds the new subject id. On any
 * failure nothing is stored and err says which field or purpose is wrong.
 */
enum sargs_rc sargs_subject_add(struct sargs_reg *reg, const struct sargs_subject_input *in,
				char id_out[SARGS_UUID_STR], struct sargs_err *err) SARGS_WUR;

struct sargs_view_field {
	char name[64];
	char category[64];
	char *value;           /* owned; wiped on free */
};

struct sargs_view_link {
	char purpose[64];
	int64_t linked_us;
};

struct sargs_subject_view {
	char id[SARGS_UUID_STR];
	int64_t created_us;
	int64_t updated_us;
	char source[16];
	char *source_name;           /* owned, or NULL; shown with every purpose's
				      * read (where the data came from, GDPR
				      * Art. 14(2)(f)) and named "_source" in the
				      * read's audit entry */
	struct sargs_view_link *links;
	size_t n_links;
	struct sargs_view_field *fields;
	size_t n_fields;
	char purpose[64];            /* the purpose the view was read for */
	char withheld[512];          /* comma-separated: fields of special
				      * categories the purpose uses that this
				      * read left out (sargs_subject_show_limited),
				      * whether the person has them or not */
};

/*
 * Reads a subject for a purpose: only the fields the purpose lists (each
 * within the purpose's data categories), and only if the subject is linked
 * to that purpose; a refused read is audited as "subject.read.denied".
 * Caller frees with sargs_subject_view_free. An erased subject gives
 * SARGS_E_NOTFOUND with a message saying when it was erased.
 */
enum sargs_rc sargs_subject_show(struct sargs_reg *reg, const char *id, const char *purpose,
				 struct sargs_subject_view *out, struct sargs_err *err) SARGS_WUR;
/*
 * As sargs_subject_show for someone who may not see special categories of
 * data (GDPR Art. 9; 004 §4.7: extra protection, minimal access) unless
 * special_ok: the purpose's fields whose category is special are neither
 * decrypted nor returned, v->withheld names them, and the audit entry
 * says so ("withheld=..."); with special_ok it is sargs_subject_show.
 */
enum sargs_rc sargs_subject_show_limited(struct sargs_reg *reg, const char *id,
					 const char *purpose, int special_ok,
					 struct sargs_subject_view *out,
					 struct sargs_err *err) SARGS_WUR;
/*
 * A test made inside sargs_subject_show_checked once the subject and its
 * purpose links are read, before anything is decrypted, in the same
 * transaction (one snapshot, each row read once). fn gets the time the
 * subject was linked to the purpose (0: not linked) and returns SARGS_OK
 * to read on, SARGS_E_DENIED to refuse (err set, and detail a short reason
 * without personal data for the audit entry "subject.read.denied"), or
 * another error to fail with.
 */
struct sargs_subject_check {
	enum sargs_rc (*fn)(void *ctx, struct sargs_reg *reg, const char *id, int64_t linked_us,
			    char *detail, size_t detail_size, struct sargs_err *err);
	void *ctx;
	char detail[96];
};
/* sargs_subject_show_limited with check made first (access.c: the policy
 * engine's decision). */
enum sargs_rc sargs_subject_show_checked(struct sargs_reg *reg, const char *id,
					 const char *purpose, int special_ok,
					 struct sargs_subject_check *check,
					 struct sargs_subject_view *out,
					 struct sargs_err *err) SARGS_WUR;
void sargs_subject_view_free(struct sargs_subject_view *v);
/* The value of field name in v, or NULL when the view does not hold it. */
const char *sargs_subject_view_field(const struct sargs_subject_view *v, const char *name);

/*
 * Reads only the named fields (each listed by purpose) of a subject linked
 * to purpose: an export's columns, no more (GDPR Art. 5(1)(c)). Audited as
 * action (e.g. "campaign.export") with a non-personal detail. Joins the
 * caller's transaction (the caller commits before the data leaves).
 * action NULL writes no entry: only for a caller that audits its whole
 * batch in the same transaction (the pseudonymised export, pseudo.h, whose
 * one entry names the purpose, fields and count but no one's id).
 */
enum sargs_rc sargs_subject_read_fields(struct sargs_reg *reg, const char *id,
				       const char *purpose, const char *const *names,
				       size_t n_names, const char *action, const char *detail,
				       struct sargs_subject_view *out,
				       struct sargs_err *err) SARGS_WUR;

/*
 * Finds subjects by a typed value: kind is "email", "phone" or
 * "personal_code"; value is normalised first (invalid values are refused).
 * *ids is a new array of *n ids (caller frees with free()).
 */
enum sargs_rc sargs_subject_find(struct sargs_reg *reg, const char *kind, const char *value,
				 char (**ids)[SARGS_UUID_STR], size_t *n,
				 struct sargs_err *err) SARGS_WUR;

/*
 * The people a name search for query may find (util/namefold.h): those with
 * a name word that has the key of each word of query (its first five
 * letters, or three when it is shorter), found through the blind index,
 * nothing decrypted. Each candidate's name
 * must still be read and compared (sargs_name_matches): a key is shared by
 * many names. At most max ids (sorted) in *ids, *more set when there were
 * more. SARGS_E_INVALID when query has no word. Needs the name index
 * (sargs_subject_index_names).
 */
enum sargs_rc sargs_subject_name_candidates(struct sargs_reg *reg, const char *query,
					    char (**ids)[SARGS_UUID_STR], size_t *n, size_t max,
					    int *more, struct sargs_err *err) SARGS_WUR;

/*
 * Adds the name index to subjects stored before it existed (their name
 * words' keys, namefold.h), once: a register marked as indexed returns at
 * once. Decrypts each subject's name fields and nothing else; records
 * "subject.index" with the count (no subject ids). Runs in transactions of
 * a few hundred subjects, so a server reading meanwhile is not held up.
 * *indexed counts the subjects done.
 */
#define SARGS_META_NAME_INDEX "name_index" /* "1": every subject has its name keys */
enum sargs_rc sargs_subject_index_names(struct sargs_reg *reg, int64_t *indexed,
					struct sargs_err *err) SARGS_WUR;
/* 1 when every subject has the name index. */
int sargs_subject_names_indexed(struct sargs_reg *reg);

/*
 * Reads every field of a subject, whatever purpose it was collected for:
 * only for the person's own copy (GDPR Art. 15) and what answers a right,
 * never for processing. Audited as action naming every field.
 */
enum sargs_rc sargs_subject_read_all(struct sargs_reg *reg, const char *id, const char *action,
				     const char *detail, struct sargs_subject_view *out,
				     struct sargs_err *err) SARGS_WUR;

/*
 * SARGS_OK when the subject exists; else SARGS_E_INVALID (not an id) or
 * SARGS_E_NOTFOUND saying whether and when it was erased. Reads nothing
 * personal; no audit entry.
 */
enum sargs_rc sargs_subject_must_exist(struct sargs_reg *reg, const char *id,
				       struct sargs_err *err) SARGS_WUR;

/*
 * The names of the fields a subject has (never their values; no
 * decryption, no audit entry), at most max of them, in stored order.
 */
enum sargs_rc sargs_subject_field_names(struct sargs_reg *reg, const char *id,
				       char (*names)[64], size_t max, size_t *n,
				       struct sargs_err *err) SARGS_WUR;

/*
 * Whether a subject with this typed value exists (the first one's id in
 * id_out), for de-duplication at the door (an import). Normalises like
 * find, looks only at the blind index, decrypts and returns nothing
 * personal, and so writes no audit entry; the caller's add or refusal is
 * what gets recorded. Runs in the caller's transaction (or autocommit).
 */
enum sargs_rc sargs_subject_exists_by(struct sargs_reg *reg, const char *kind,
				      const char *value, char id_out[SARGS_UUID_STR], int *found,
				      struct sargs_err *err) SARGS_WUR;

/*
 * Finds by a typed value and reads every match for purpose, in one
 * transaction (the bench's lookup-and-decrypt). *views is a new array of *n
 * views; free each with sargs_subject_view_free and the array with free().
 */
enum sargs_rc sargs_subject_lookup(struct sargs_reg *reg, const char *kind, const char *value,
				   const char *purpose, struct sargs_subject_view **views,
				   size_t *n, struct sargs_err *err) SARGS_WUR;

struct sargs_subject_change {
	const struct sargs_kv *set;      /* fields to set (added or replaced) */
	size_t n_set;
	const char *const *unset;        /* fields to remove */
	size_t n_unset;
	const char *const *link;         /* purposes to link */
	size_t n_link;
	const char *const *unlink;       /* purposes to unlink */
	size_t n_unlink;
};

/*
 * Changes a subject: links are applied first, then fields are checked
 * against the resulting purposes (minimisation and required fields), so a
 * purpose can be unlinked only together with unsetting the fields no
 * remaining purpose covers. All or nothing.
 */
enum sargs_rc sargs_subject_edit(struct sargs_reg *reg, const char *id,
				 const struct sargs_subject_change *ch,
				 struct sargs_err *err) SARGS_WUR;

/* Why a subject is erased (no free text: it could hold personal data). */
int sargs_erase_reason_valid(const char *reason);

/*
 * Erases a subject by crypto-shredding (see above). reason is one of
 * "request", "retention", "withdrawal", "objection", "other";
 * "restore" is a restore re-applying an erasure (domain/backup.h).
 */
enum sargs_rc sargs_subject_erase(struct sargs_reg *reg, const char *id, const char *reason,
				  struct sargs_err *err) SARGS_WUR;

#endif
