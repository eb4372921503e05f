/*
 * store_rel.c — the engine-neutral face of store_rel.h: forwards each call
 * to the open engine.
 */
#include "store/store_int.h"

enum sargs_rc sargs_store_facts_count(struct sargs_store *st, int64_t *out)
{
	return st->ops->rel->facts_count(st, out);
}

enum sargs_rc sargs_store_facts_get(struct sargs_store *st, const char *id,
				    struct sargs_store_facts *out, void **owned)
{
	return st->ops->rel->facts_get(st, id, out, owned);
}

enum sargs_rc sargs_store_facts_put(struct sargs_store *st, const char *id,
				    const struct sargs_store_facts *f)
{
	return st->ops->rel->facts_put(st, id, f);
}

enum sargs_rc sargs_store_consent_get(struct sargs_store *st, const char *id, const char *purpose,
				      struct sargs_store_consent *out)
{
	return st->ops->rel->consent_get(st, id, purpose, out);
}

enum sargs_rc sargs_store_consent_put(struct sargs_store *st, const char *id, const char *purpose,
				      const struct sargs_store_consent *c)
{
	return st->ops->rel->consent_put(st, id, purpose, c);
}

enum sargs_rc sargs_store_consents(struct sargs_store *st, const char *id,
				   int (*cb)(void *ctx, const char *purpose,
					     const struct sargs_store_consent *c),
				   void *ctx)
{
	return st->ops->rel->consents(st, id, cb, ctx);
}

enum sargs_rc sargs_store_consent_event_add(struct sargs_store *st, const char *id,
					    const char *purpose, const char *event,
					    int64_t time_us, const char *receipt)
{
	return st->ops->rel->consent_event_add(st, id, purpose, event, time_us, receipt);
}

enum sargs_rc sargs_store_consent_events(struct sargs_store *st, const char *id,
					 int (*cb)(void *ctx, int64_t seq, const char *purpose,
						   const char *event, int64_t time_us,
						   const char *receipt),
					 void *ctx)
{
	return st->ops->rel->consent_events(st, id, cb, ctx);
}

enum sargs_rc sargs_store_purchase_add(struct sargs_store *st, const char *id,
				       const char *product_line, int32_t day, int opt_out_offered,
				       int refused)
{
	return st->ops->rel->purchase_add(st, id, product_line, day, opt_out_offered, refused);
}

enum sargs_rc sargs_store_lines(struct sargs_store *st, const char *id,
				int (*cb)(void *ctx, const struct sargs_store_line *l),
				void *ctx)
{
	return st->ops->rel->lines(st, id, cb, ctx);
}

enum sargs_rc sargs_store_purchases(struct sargs_store *st, const char *id,
				    int (*cb)(void *ctx, const char *product_line, int32_t day),
				    void *ctx)
{
	return st->ops->rel->purchases(st, id, cb, ctx);
}

enum sargs_rc sargs_store_contract_add(struct sargs_store *st, const char *id,
				       const char *product_line, int32_t start_day,
				       int64_t *out_no)
{
	return st->ops->rel->contract_add(st, id, product_line, start_day, out_no);
}

enum sargs_rc sargs_store_contract_end(struct sargs_store *st, const char *id, int64_t no,
				       int32_t end_day)
{
	return st->ops->rel->contract_end(st, id, no, end_day);
}

enum sargs_rc sargs_store_contracts(struct sargs_store *st, const char *id,
				    int (*cb)(void *ctx, int64_t no, const char *product_line,
					      int32_t start_day, int32_t end_day),
				    void *ctx)
{
	return st->ops->rel->contracts(st, id, cb, ctx);
}

enum sargs_rc sargs_store_audience_put(struct sargs_store *st, const char *purpose,
				       const char *id, const void *facts, size_t len)
{
	return st->ops->rel->audience_put(st, purpose, id, facts, len);
}

enum sargs_rc sargs_store_audience_remove(struct sargs_store *st, const char *purpose,
					  const char *id)
{
	return st->ops->rel->audience_remove(st, purpose, id);
}

enum sargs_rc sargs_store_audience_scan(struct sargs_store *st, const char *purpose,
					int (*cb)(void *ctx, const char *id,
						  const unsigned char *facts, size_t len),
					void *ctx)
{
	return st->ops->rel->audience_scan(st, purpose, cb, ctx);
}

enum sargs_rc sargs_store_campaign_add(struct sargs_store *st, struct sargs_store_campaign *c)
{
	return st->ops->rel->campaign_add(st, c);
}

enum sargs_rc sargs_store_campaigns(struct sargs_store *st,
				    int (*cb)(void *ctx, const struct sargs_store_campaign *c),
				    void *ctx)
{
	return st->ops->rel->campaigns(st, cb, ctx);
}

enum sargs_rc sargs_store_zone_counts(struct sargs_store *st, int64_t counts[4])
{
	return st->ops->rel->zone_counts(st, counts);
}

enum sargs_rc sargs_store_zone_ids(struct sargs_store *st, int zone,
				   int (*cb)(void *ctx, const char *id), void *ctx)
{
	return st->ops->rel->zone_ids(st, zone, cb, ctx);
}

enum sargs_rc sargs_store_reperm_get(struct sargs_store *st, const char *id,
				     struct sargs_store_reperm *out)
{
	return st->ops->rel->reperm_get(st, id, out);
}

enum sargs_rc sargs_store_reperm_put(struct sargs_store *st, const char *id,
				     const struct sargs_store_reperm *r)
{
	return st->ops->rel->reperm_put(st, id, r);
}

enum sargs_rc sargs_store_reperm_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id,
						const struct sargs_store_reperm *r),
				      void *ctx)
{
	return st->ops->rel->reperm_scan(st, cb, ctx);
}
