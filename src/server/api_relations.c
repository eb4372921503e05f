/*
 * api_relations.c — purchases and contracts: the customer relationship the
 * marketing rules depend on (soft opt-in needs a purchase from the product
 * line and the chance to refuse when the contact was collected).
 */
#include "server/api.h"

#include "domain/relation.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* POST /api/v1/subjects/{id}/purchases {product_line, day?, opt_out_offered?, refused?} */
void api_purchase_add(struct http_ctx *c)
{
	static const char *const keys[] = {"product_line", "day", "opt_out_offered", "refused",
					   NULL};
	struct sargs_purchase_result res;
	const char *line;
	int32_t day = sargs_today();
	int offered = 0, refused = 0;
	struct sargs_err err;
	json_t *b = http_json_body(c, keys), *linked;
	size_t i;

	if (!b)
		return;
	if (!api_req_str(c, b, "product_line", &line) || !api_opt_day(c, b, "day", &day) ||
	    !api_opt_bool(c, b, "opt_out_offered", &offered) ||
	    !api_opt_bool(c, b, "refused", &refused))
		goto out;
	if (!api_subject_exists(c, c->rq->params[0]))
		goto out;
	memset(&res, 0, sizeof(res));
	sargs_err_clear(&err);
	if (sargs_purchase_record(c->reg, c->rq->params[0], line, day, offered, refused, &res,
				  &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	linked = json_array();
	for (i = 0; linked && i < res.n_linked; i++)
		json_array_append_new(linked, json_string(res.linked[i]));
	http_json(c->rs, 201,
		  json_pack("{s:s,s:s,s:o*}", "subject", c->rq->params[0], "product_line", line,
			    "linked", linked));
out:
	json_decref(b);
}

/* POST /api/v1/subjects/{id}/contracts {product_line?, start?} */
void api_contract_start(struct http_ctx *c)
{
	static const char *const keys[] = {"product_line", "start", NULL};
	const char *line = NULL;
	int32_t day = sargs_today();
	int64_t no = 0;
	struct sargs_err err;
	json_t *b = NULL;

	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_str(c, b, "product_line", &line) ||
		    !api_opt_day(c, b, "start", &day))
			goto out;
	}
	if (!api_subject_exists(c, c->rq->params[0]))
		goto out;
	sargs_err_clear(&err);
	if (sargs_contract_start(c->reg, c->rq->params[0], line, day, &no, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	http_json(c->rs, 201, json_pack("{s:s,s:I}", "subject", c->rq->params[0], "contract",
					(json_int_t)no));
out:
	json_decref(b);
}

/* POST /api/v1/subjects/{id}/contracts/{no}/end {day?} */
void api_contract_end(struct http_ctx *c)
{
	static const char *const keys[] = {"day", NULL};
	int32_t day = sargs_today();
	int64_t no;
	struct sargs_err err;
	json_t *b = NULL;

	if (!api_id64(c, c->rq->params[1], &no))
		return;
	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_day(c, b, "day", &day))
			goto out;
	}
	if (!api_subject_exists(c, c->rq->params[0]))
		goto out;
	sargs_err_clear(&err);
	if (sargs_contract_finish(c->reg, c->rq->params[0], no, day, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	{
		char d[SARGS_DATE_STR];

		api_day_str(day, d, sizeof(d));
		http_json(c->rs, 200, json_pack("{s:s,s:I,s:s}", "subject", c->rq->params[0],
						"contract", (json_int_t)no, "ended", d));
	}
out:
	json_decref(b);
}
