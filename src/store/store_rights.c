/*
 * store_rights.c — the engine-neutral face of store_rights.h: forwards each
 * call to the open engine.
 */
#include "store/store_int.h"

enum sargs_rc sargs_store_request_add(struct sargs_store *st, struct sargs_store_request *r)
{
	return st->ops->rights->request_add(st, r);
}

enum sargs_rc sargs_store_request_update(struct sargs_store *st,
					 const struct sargs_store_request *r)
{
	return st->ops->rights->request_update(st, r);
}

enum sargs_rc sargs_store_request_get(struct sargs_store *st, int64_t id,
				      struct sargs_store_request *out, void **owned)
{
	return st->ops->rights->request_get(st, id, out, owned);
}

enum sargs_rc sargs_store_request_scan(struct sargs_store *st, int open_only,
				       int (*cb)(void *ctx, const struct sargs_store_request *r),
				       void *ctx)
{
	return st->ops->rights->request_scan(st, open_only, cb, ctx);
}

enum sargs_rc sargs_store_request_event_add(struct sargs_store *st, int64_t request_id,
					    int64_t time_us, const char *actor,
					    const char *event, const char *detail)
{
	return st->ops->rights->request_event_add(st, request_id, time_us, actor, event, detail);
}

enum sargs_rc sargs_store_request_events(struct sargs_store *st, int64_t request_id,
					 int (*cb)(void *ctx, int64_t time_us, const char *actor,
						   const char *event, const char *detail),
					 void *ctx)
{
	return st->ops->rights->request_events(st, request_id, cb, ctx);
}

enum sargs_rc sargs_store_disclosure_add(struct sargs_store *st, const char *subject_id,
					 const struct sargs_store_disclosure *d)
{
	return st->ops->rights->disclosure_add(st, subject_id, d);
}

enum sargs_rc sargs_store_disclosures(struct sargs_store *st, const char *subject_id,
				      int64_t since_us,
				      int (*cb)(void *ctx, const struct sargs_store_disclosure *d),
				      void *ctx)
{
	return st->ops->rights->disclosures(st, subject_id, since_us, cb, ctx);
}

enum sargs_rc sargs_store_stats_add(struct sargs_store *st, const char *month,
				    const char *purpose, const char *product_line,
				    const char *measure, int64_t delta)
{
	return st->ops->rights->stats_add(st, month, purpose, product_line, measure, delta);
}

enum sargs_rc sargs_store_stats_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *month, const char *purpose,
					       const char *product_line, const char *measure,
					       int64_t n),
				     void *ctx)
{
	return st->ops->rights->stats_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_link_facts_scan(struct sargs_store *st,
					  int (*cb)(void *ctx,
						    const struct sargs_store_link_facts *l),
					  void *ctx)
{
	return st->ops->rights->link_facts_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_partial_add(struct sargs_store *st, const char *subject_id,
				      int64_t time_us, const char *purposes, const char *fields)
{
	return st->ops->rights->partial_add(st, subject_id, time_us, purposes, fields);
}

enum sargs_rc sargs_store_partial_scan(struct sargs_store *st,
				       int (*cb)(void *ctx, const char *subject_id, int64_t time_us,
						 const char *purposes, const char *fields),
				       void *ctx)
{
	return st->ops->rights->partial_scan(st, cb, ctx);
}
