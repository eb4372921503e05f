/*
 * store_breach.c — the engine-neutral face of store_breach.h: forwards each
 * call to the open engine.
 */
#include "store/store_int.h"

enum sargs_rc sargs_store_breach_add(struct sargs_store *st, struct sargs_store_breach *b)
{
	return st->ops->breach->breach_add(st, b);
}

enum sargs_rc sargs_store_breach_update(struct sargs_store *st,
					const struct sargs_store_breach *b)
{
	return st->ops->breach->breach_update(st, b);
}

enum sargs_rc sargs_store_breach_get(struct sargs_store *st, int64_t id,
				     struct sargs_store_breach *out, void **owned)
{
	return st->ops->breach->breach_get(st, id, out, owned);
}

enum sargs_rc sargs_store_breach_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const struct sargs_store_breach *b),
				      void *ctx)
{
	return st->ops->breach->breach_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_breach_subject_add(struct sargs_store *st, int64_t breach_id,
					     const char *subject_id, int *added)
{
	return st->ops->breach->subject_add(st, breach_id, subject_id, added);
}

enum sargs_rc sargs_store_breach_subject_add_purpose(struct sargs_store *st, int64_t breach_id,
						     const char *purpose, int64_t *added)
{
	return st->ops->breach->subject_add_purpose(st, breach_id, purpose, added);
}

enum sargs_rc sargs_store_breach_subjects(struct sargs_store *st, int64_t breach_id,
					  int (*cb)(void *ctx, const char *subject_id),
					  void *ctx)
{
	return st->ops->breach->subjects(st, breach_id, cb, ctx);
}
