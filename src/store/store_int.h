/*
 * store_int.h — what an engine provides: the operations table behind the
 * public functions of store.h. Only src/store/ includes this file.
 */
#ifndef SARGS_STORE_INT_H
#define SARGS_STORE_INT_H

#include "store/store.h"
#include "store/store_rel.h"
#include "store/store_rights.h"
#include "store/store_breach.h"
#include "store/store_auth.h"

/* The rights part (store_rights.h). */
struct sargs_store_rights_ops {
	enum sargs_rc (*request_add)(struct sargs_store *st, struct sargs_store_request *r);
	enum sargs_rc (*request_update)(struct sargs_store *st, const struct sargs_store_request *r);
	enum sargs_rc (*request_get)(struct sargs_store *st, int64_t id, struct sargs_store_request *out, void **owned);
	enum sargs_rc (*request_scan)(struct sargs_store *st, int open_only, int (*cb)(void *ctx, const struct sargs_store_request *r), void *ctx);
	enum sargs_rc (*request_event_add)(struct sargs_store *st, int64_t request_id, int64_t time_us, const char *actor, const char *event, const char *detail);
	enum sargs_rc (*request_events)(struct sargs_store *st, int64_t request_id, int (*cb)(void *ctx, int64_t time_us, const char *actor, const char *event, const char *detail), void *ctx);
	enum sargs_rc (*disclosure_add)(struct sargs_store *st, const char *subject_id, const struct sargs_store_disclosure *d);
	enum sargs_rc (*disclosures)(struct sargs_store *st, const char *subject_id, int64_t since_us, int (*cb)(void *ctx, const struct sargs_store_disclosure *d), void *ctx);
	enum sargs_rc (*stats_add)(struct sargs_store *st, const char *month, const char *purpose, const char *product_line, const char *measure, int64_t delta);
	enum sargs_rc (*stats_scan)(struct sargs_store *st, int (*cb)(void *ctx, const char *month, const char *purpose, const char *product_line, const char *measure, int64_t n), void *ctx);
	enum sargs_rc (*partial_add)(struct sargs_store *st, const char *subject_id,
				     int64_t time_us, const char *purposes, const char *fields);
	enum sargs_rc (*partial_scan)(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *subject_id, int64_t time_us,
						const char *purposes, const char *fields),
				      void *ctx);
	enum sargs_rc (*link_facts_scan)(struct sargs_store *st, int (*cb)(void *ctx, const struct sargs_store_link_facts *l), void *ctx);
};

/* Backups (store.h, "backups"): copy, integrity, the ledger as a whole. */
struct sargs_store_backup_ops {
	enum sargs_rc (*backup_to)(struct sargs_store *st, const char *path);
	enum sargs_rc (*integrity_check)(struct sargs_store *st, int *ok, char *msg, size_t msg_size);
	enum sargs_rc (*ledger_scan)(struct sargs_store *st, int (*cb)(void *ctx, const char *id, int64_t erased_us), void *ctx);
	enum sargs_rc (*ledger_add)(struct sargs_store *st, const char *id, int64_t erased_us);
};

/* The breach register (store_breach.h). */
struct sargs_store_breach_ops {
	enum sargs_rc (*breach_add)(struct sargs_store *st, struct sargs_store_breach *b);
	enum sargs_rc (*breach_update)(struct sargs_store *st, const struct sargs_store_breach *b);
	enum sargs_rc (*breach_get)(struct sargs_store *st, int64_t id, struct sargs_store_breach *out, void **owned);
	enum sargs_rc (*breach_scan)(struct sargs_store *st, int (*cb)(void *ctx, const struct sargs_store_breach *b), void *ctx);
	enum sargs_rc (*subject_add)(struct sargs_store *st, int64_t breach_id, const char *subject_id, int *added);
	enum sargs_rc (*subject_add_purpose)(struct sargs_store *st, int64_t breach_id, const char *purpose, int64_t *added);
	enum sargs_rc (*subjects)(struct sargs_store *st, int64_t breach_id, int (*cb)(void *ctx, const char *subject_id), void *ctx);
};

/* Staff sign-in (store_auth.h). */
struct sargs_store_auth_ops {
	enum sargs_rc (*role_put)(struct sargs_store *st, const struct sargs_store_role *r);
	enum sargs_rc (*role_get)(struct sargs_store *st, const char *name, struct sargs_store_role *out);
	enum sargs_rc (*role_scan)(struct sargs_store *st, int (*cb)(void *ctx, const struct sargs_store_role *r), void *ctx);
	enum sargs_rc (*staff_add)(struct sargs_store *st, const struct sargs_store_staff *s);
	enum sargs_rc (*staff_update)(struct sargs_store *st, const struct sargs_store_staff *s);
	enum sargs_rc (*staff_get)(struct sargs_store *st, const char *name, struct sargs_store_staff *out);
	enum sargs_rc (*staff_scan)(struct sargs_store *st, int (*cb)(void *ctx, const struct sargs_store_staff *s), void *ctx);
	enum sargs_rc (*session_add)(struct sargs_store *st, const struct sargs_store_session *s);
	enum sargs_rc (*session_get)(struct sargs_store *st, const unsigned char *hash, struct sargs_store_session *out);
	enum sargs_rc (*session_touch)(struct sargs_store *st, const unsigned char *hash, int64_t last_used_us);
	enum sargs_rc (*session_delete)(struct sargs_store *st, const unsigned char *hash);
	enum sargs_rc (*session_delete_staff)(struct sargs_store *st, const char *staff, int64_t *n);
	enum sargs_rc (*session_expire)(struct sargs_store *st, int64_t idle_before_us, int64_t created_before_us);
	enum sargs_rc (*token_add)(struct sargs_store *st, const struct sargs_store_token *t);
	enum sargs_rc (*token_get_hash)(struct sargs_store *st, const unsigned char *hash, struct sargs_store_token *out);
	enum sargs_rc (*token_scan)(struct sargs_store *st, int (*cb)(void *ctx, const struct sargs_store_token *t), void *ctx);
	enum sargs_rc (*token_revoke)(struct sargs_store *st, const char *name, int64_t revoked_us, int *was);
};

/* The relationship part (store_rel.h). */
struct sargs_store_rel_ops {
	enum sargs_rc (*facts_count)(struct sargs_store *st, int64_t *out);
	enum sargs_rc (*facts_get)(struct sargs_store *st, const char *id,
				   struct sargs_store_facts *out, void **owned);
	enum sargs_rc (*facts_put)(struct sargs_store *st, const char *id,
				   const struct sargs_store_facts *f);
	enum sargs_rc (*consent_get)(struct sargs_store *st, const char *id, const char *purpose,
				     struct sargs_store_consent *out);
	enum sargs_rc (*consent_put)(struct sargs_store *st, const char *id, const char *purpose,
				     const struct sargs_store_consent *c);
	enum sargs_rc (*consents)(struct sargs_store *st, const char *id,
				  int (*cb)(void *ctx, const char *purpose,
					    const struct sargs_store_consent *c),
				  void *ctx);
	enum sargs_rc (*consent_event_add)(struct sargs_store *st, const char *id,
					   const char *purpose, const char *event, int64_t time_us,
					   const char *receipt);
	enum sargs_rc (*consent_events)(struct sargs_store *st, const char *id,
					int (*cb)(void *ctx, int64_t seq, const char *purpose,
						  const char *event, int64_t time_us,
						  const char *receipt),
					void *ctx);
	enum sargs_rc (*purchase_add)(struct sargs_store *st, const char *id,
				      const char *product_line, int32_t day, int opt_out_offered,
				      int refused);
	enum sargs_rc (*lines)(struct sargs_store *st, const char *id,
			       int (*cb)(void *ctx, const struct sargs_store_line *l), void *ctx);
	enum sargs_rc (*purchases)(struct sargs_store *st, const char *id,
				   int (*cb)(void *ctx, const char *product_line, int32_t day),
				   void *ctx);
	enum sargs_rc (*contract_add)(struct sargs_store *st, const char *id,
				      const char *product_line, int32_t start_day, int64_t *out_no);
	enum sargs_rc (*contract_end)(struct sargs_store *st, const char *id, int64_t no,
				      int32_t end_day);
	enum sargs_rc (*contracts)(struct sargs_store *st, const char *id,
				   int (*cb)(void *ctx, int64_t no, const char *product_line,
					     int32_t start_day, int32_t end_day),
				   void *ctx);
	enum sargs_rc (*audience_put)(struct sargs_store *st, const char *purpose, const char *id,
				      const void *facts, size_t len);
	enum sargs_rc (*audience_remove)(struct sargs_store *st, const char *purpose,
					 const char *id);
	enum sargs_rc (*audience_scan)(struct sargs_store *st, const char *purpose,
				       int (*cb)(void *ctx, const char *id,
						 const unsigned char *facts, size_t len),
				       void *ctx);
	enum sargs_rc (*campaign_add)(struct sargs_store *st, struct sargs_store_campaign *c);
	enum sargs_rc (*campaigns)(struct sargs_store *st,
				   int (*cb)(void *ctx, const struct sargs_store_campaign *c),
				   void *ctx);
	enum sargs_rc (*zone_counts)(struct sargs_store *st, int64_t counts[4]);
	enum sargs_rc (*zone_ids)(struct sargs_store *st, int zone,
				  int (*cb)(void *ctx, const char *id), void *ctx);
	enum sargs_rc (*reperm_get)(struct sargs_store *st, const char *id,
				    struct sargs_store_reperm *out);
	enum sargs_rc (*reperm_put)(struct sargs_store *st, const char *id,
				    const struct sargs_store_reperm *r);
	enum sargs_rc (*reperm_scan)(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *id,
					       const struct sargs_store_reperm *r),
				     void *ctx);
};

struct sargs_store_ops {
	const char *name;
	void (*close)(struct sargs_store *st);
	enum sargs_rc (*begin)(struct sargs_store *st, struct sargs_err *err);
	enum sargs_rc (*begin_read)(struct sargs_store *st, struct sargs_err *err);
	enum sargs_rc (*commit)(struct sargs_store *st, struct sargs_err *err);
	void (*rollback)(struct sargs_store *st);
	int (*changed_elsewhere)(struct sargs_store *st);
	enum sargs_rc (*meta_get)(struct sargs_store *st, const char *key,
				  unsigned char **out, size_t *out_len);
	enum sargs_rc (*meta_put)(struct sargs_store *st, const char *key,
				  const void *value, size_t len);
	enum sargs_rc (*registry_put)(struct sargs_store *st, int64_t loaded_us,
				      const char *hash_hex, const char *document,
				      int64_t *out_version);
	enum sargs_rc (*registry_current)(struct sargs_store *st, char **document,
					  int64_t *version, int64_t *loaded_us);
	enum sargs_rc (*subject_insert)(struct sargs_store *st,
					const struct sargs_store_subject *s);
	enum sargs_rc (*subject_get)(struct sargs_store *st, const char *id,
				     struct sargs_store_subject *out, void **owned);
	enum sargs_rc (*subject_update)(struct sargs_store *st,
					const struct sargs_store_subject *s);
	enum sargs_rc (*subject_erase)(struct sargs_store *st, const char *id,
				       int64_t erased_us);
	enum sargs_rc (*subject_count)(struct sargs_store *st, int64_t *out);
	enum sargs_rc (*subject_ids)(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *id), void *ctx);
	enum sargs_rc (*link_add)(struct sargs_store *st, const char *subject_id,
				  const char *purpose, int64_t linked_us);
	enum sargs_rc (*link_remove)(struct sargs_store *st, const char *subject_id,
				     const char *purpose);
	enum sargs_rc (*links)(struct sargs_store *st, const char *subject_id,
			       int (*cb)(void *ctx, const char *purpose, int64_t linked_us),
			       void *ctx);
	enum sargs_rc (*link_counts)(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *purpose, int64_t n),
				     void *ctx);
	enum sargs_rc (*index_add)(struct sargs_store *st, const unsigned char *hash,
				   size_t hash_len, const char *subject_id);
	enum sargs_rc (*index_remove)(struct sargs_store *st, const unsigned char *hash,
				      size_t hash_len, const char *subject_id);
	enum sargs_rc (*index_find)(struct sargs_store *st, const unsigned char *hash,
				    size_t hash_len, int (*cb)(void *ctx, const char *subject_id),
				    void *ctx);
	enum sargs_rc (*ledger_get)(struct sargs_store *st, const char *id, int64_t *out_us);
	enum sargs_rc (*ledger_count)(struct sargs_store *st, int64_t *out);
	enum sargs_rc (*audit_append)(struct sargs_store *st, struct sargs_store_audit_row *row);
	enum sargs_rc (*audit_last)(struct sargs_store *st, int64_t *seq, unsigned char *hash);
	enum sargs_rc (*audit_scan)(struct sargs_store *st,
				    const struct sargs_store_audit_filter *f,
				    int (*cb)(void *ctx, const struct sargs_store_audit_row *row),
				    void *ctx);
	enum sargs_rc (*audit_find_hash)(struct sargs_store *st, const unsigned char *hash,
					 int64_t exclude_seq, int64_t *seq);
	enum sargs_rc (*audit_count)(struct sargs_store *st, int64_t *out);
	enum sargs_rc (*audit_index_check)(struct sargs_store *st, int64_t *bad, int64_t *first_seq);
	enum sargs_rc (*audit_index_repair)(struct sargs_store *st, int64_t *cursor, int *changed,
					    int *done);
	enum sargs_rc (*compact_log)(struct sargs_store *st);
	enum sargs_rc (*checkpoint)(struct sargs_store *st, int *log_frames, int *left);
	void (*tune_server)(struct sargs_store *st, int writer);
	enum sargs_rc (*log_restart)(struct sargs_store *st, int *restarted);
	enum sargs_rc (*log_sync_open)(struct sargs_store *st, struct sargs_log_sync **out,
				       struct sargs_err *err);
	enum sargs_rc (*log_sync)(struct sargs_log_sync *ls, struct sargs_err *err);
	void (*log_sync_close)(struct sargs_log_sync *ls);
	enum sargs_rc (*log_flush)(struct sargs_store *st);
	const struct sargs_store_rel_ops *rel;
	const struct sargs_store_rights_ops *rights;
	const struct sargs_store_breach_ops *breach;
	const struct sargs_store_backup_ops *backup;
	const struct sargs_store_auth_ops *auth;
};

/* Every engine's log syncer starts with this header. */
struct sargs_log_sync {
	const struct sargs_store_ops *ops;
};

/* Every engine's handle starts with this header. */
struct sargs_store {
	const struct sargs_store_ops *ops;
	int depth;          /* transaction nesting */
	int schema_version;
	char errmsg[256];
	/* token lookups answered from the engine's memo (sargs_store_token_memo_hits) */
	unsigned long long token_memo_hits;
};

enum sargs_rc sargs_store_sqlite_open(const char *path, int create, struct sargs_store **out,
				      struct sargs_err *err);
enum sargs_rc sargs_store_sqlite_schema_at(const char *path, int *version);

#endif
