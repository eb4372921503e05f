/*
 * routes_ops.c — operating the server: health, Prometheus metrics, the
 * console's static files, the benchmark's static answer, running the
 * scheduled work now.
 */
#include "crypto/field.h"
#include "store/store.h"
#include "server/server.h"
#include "util/timeutil.h"

#include "static_assets.h" /* generated from web/ by CMake */

#include <stdio.h>
#include <string.h>

/* Constant cost: the trail's last entry (one index lookup) proves the
 * register answers; counts are the scheduler's. No internal error text. */
static void health(struct http_ctx *c)
{
	struct sargs_err err;
	struct srv_status st;
	int64_t seq;
	unsigned char hash[SARGS_HASH_BYTES];
	json_t *o;

	srv_status_get(c->srv, &st);
	if (sargs_store_audit_last(c->reg->store, &seq, hash) != SARGS_OK) {
		(void)err;
		http_json(c->rs, 503, json_pack("{s:s}", "status", "unavailable"));
		srv_log(c->srv, "error", "health_failed", NULL);
		return;
	}
	o = json_pack("{s:s,s:i,s:I}", "status", "ok", "schema", sargs_store_schema_version(c->reg->store),
		      "uptime_s", (json_int_t)((sargs_time_now_us() - st.started_us) / 1000000));
	if (o && st.backup_error[0])
		json_object_set_new(o, "backup", json_string("failing"));
	http_json(c->rs, 200, o);
}

/* No register work: what the server counted itself and the scheduler's
 * counts (made every 20 s on its own connection). */
static void metrics(struct http_ctx *c)
{
	static const char *const le[SRV_LAT_BUCKETS] = {"0.0005", "0.001", "0.0025", "0.005",
							"0.01",   "0.025", "0.05",   "0.1",
							"0.25",   "0.5",   "1",      "5"};
	struct srv_metrics m;
	struct srv_status st;
	struct worker_stats ws;
	int i;
	int64_t now = sargs_time_now_us();

	pthread_mutex_lock(&c->srv->mu);
	m = c->srv->metrics;
	pthread_mutex_unlock(&c->srv->mu);
	srv_status_get(c->srv, &st);
	worker_get_stats(c->srv->worker, &ws);
	http_set_status(c->rs, 200, "text/plain; version=0.0.4; charset=utf-8");
	http_out(c->rs, "# HELP sargs_http_requests_total HTTP requests answered, by status class.\n"
			"# TYPE sargs_http_requests_total counter\n");
	for (i = 1; i <= 5; i++)
		http_outf(c->rs, "sargs_http_requests_total{code=\"%dxx\"} %llu\n", i,
			  m.requests[i]);
	http_out(c->rs, "# HELP sargs_http_request_duration_seconds Time to answer a request.\n"
			"# TYPE sargs_http_request_duration_seconds histogram\n");
	for (i = 0; i < SRV_LAT_BUCKETS; i++)
		http_outf(c->rs, "sargs_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n", le[i],
			  m.lat_buckets[i]);
	http_outf(c->rs,
		  "sargs_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		  "sargs_http_request_duration_seconds_sum %.6f\n"
		  "sargs_http_request_duration_seconds_count %llu\n",
		  m.lat_count, m.lat_sum_s, m.lat_count);
	http_outf(c->rs,
		  "# HELP sargs_commit_groups_total Transactions of the register worker.\n"
		  "# TYPE sargs_commit_groups_total counter\nsargs_commit_groups_total %llu\n"
		  "# HELP sargs_commit_jobs_total Requests run on the register worker.\n"
		  "# TYPE sargs_commit_jobs_total counter\nsargs_commit_jobs_total %llu\n"
		  "# HELP sargs_commit_busy_seconds_total Time the register worker ran groups.\n"
		  "# TYPE sargs_commit_busy_seconds_total counter\n"
		  "sargs_commit_busy_seconds_total %.6f\n",
		  ws.groups, ws.jobs, (double)ws.busy_us / 1e6);
	/* in parts: http_outf takes up to 1 KiB at a time */
	http_outf(c->rs,
		  "# HELP sargs_commit_syncs_total Syncs of the register's log.\n"
		  "# TYPE sargs_commit_syncs_total counter\nsargs_commit_syncs_total %llu\n"
		  "# HELP sargs_commit_sync_seconds_total Time spent syncing the log.\n"
		  "# TYPE sargs_commit_sync_seconds_total counter\n"
		  "sargs_commit_sync_seconds_total %.6f\n"
		  "# HELP sargs_commit_broken 1 when a sync of the log failed (restart the server).\n"
		  "# TYPE sargs_commit_broken gauge\nsargs_commit_broken %d\n"
		  "# HELP sargs_log_restarts_total Times the register's log started over.\n"
		  "# TYPE sargs_log_restarts_total counter\nsargs_log_restarts_total %llu\n"
		  "# HELP sargs_log_restart_busy_total Restarts put off (a reader stayed).\n"
		  "# TYPE sargs_log_restart_busy_total counter\nsargs_log_restart_busy_total %llu\n",
		  ws.syncs, (double)ws.sync_us / 1e6, ws.broken, m.log_restarts, m.log_restart_busy);
	if (st.counted_us) {
		http_outf(c->rs,
			  "# HELP sargs_audit_entries Entries in the audit trail.\n"
			  "# TYPE sargs_audit_entries gauge\nsargs_audit_entries %lld\n"
			  "# HELP sargs_subjects Data subjects in the register (not erased).\n"
			  "# TYPE sargs_subjects gauge\nsargs_subjects %lld\n",
			  (long long)st.audit_entries, (long long)st.subjects);
		http_outf(c->rs,
			  "# HELP sargs_requests_overdue Data subjects' requests past their deadline.\n"
			  "# TYPE sargs_requests_overdue gauge\nsargs_requests_overdue %lld\n",
			  (long long)st.overdue_requests);
	}
	http_outf(c->rs,
		  "# HELP sargs_backup_age_seconds Time since the last successful backup (-1: none).\n"
		  "# TYPE sargs_backup_age_seconds gauge\nsargs_backup_age_seconds %lld\n"
		  "# HELP sargs_backup_failures_total Scheduled backups that failed.\n"
		  "# TYPE sargs_backup_failures_total counter\nsargs_backup_failures_total %llu\n",
		  st.last_backup_us ? (long long)((now - st.last_backup_us) / 1000000) : -1LL,
		  st.backup_failures);
	http_outf(c->rs,
		  "# HELP sargs_checkpoint_age_seconds Time since the last signed audit checkpoint"
		  " (-1: none).\n"
		  "# TYPE sargs_checkpoint_age_seconds gauge\nsargs_checkpoint_age_seconds %lld\n",
		  st.last_checkpoint_us ? (long long)((now - st.last_checkpoint_us) / 1000000)
					: -1LL);
}

static void static_file(struct http_ctx *c)
{
	size_t i;

	for (i = 0; i < sizeof(static_assets) / sizeof(static_assets[0]); i++) {
		if (strcmp(c->rq->params[0], static_assets[i].name) == 0) {
			http_set_status(c->rs, 200, static_assets[i].ctype);
			http_outn(c->rs, (const char *)static_assets[i].data, static_assets[i].len);
			return;
		}
	}
	http_set_status(c->rs, 404, "text/plain; charset=utf-8");
	http_out(c->rs, "no such file\n");
}

/* The baseline of bench/bench_server: the same server answering a fixed
 * body with no register work. */
static void bench_static(struct http_ctx *c)
{
	http_set_status(c->rs, 200, "text/plain; charset=utf-8");
	http_out(c->rs, (const char *)c->srv->static_body);
}

static void schedule_run(struct http_ctx *c)
{
	srv_sched_kick(c->srv);
	http_json(c->rs, 202, json_pack("{s:s}", "status", "started"));
}

static void status(struct http_ctx *c)
{
	struct srv_status st;
	char b[40] = "", s[40] = "", k[40] = "";

	srv_status_get(c->srv, &st);
	if (st.last_backup_us)
		sargs_time_format(st.last_backup_us, b, sizeof(b));
	if (st.last_sweep_us)
		sargs_time_format(st.last_sweep_us, s, sizeof(s));
	if (st.last_checkpoint_us)
		sargs_time_format(st.last_checkpoint_us, k, sizeof(k));
	http_json(c->rs, 200,
		  json_pack("{s:s?,s:s?,s:I,s:s?,s:s?,s:s?,s:s?}", "last_backup", b[0] ? b : NULL,
			    "backup_error", st.backup_error[0] ? st.backup_error : NULL,
			    "backup_failures", (json_int_t)st.backup_failures, "last_sweep",
			    s[0] ? s : NULL, "sweep_error", st.sweep_error[0] ? st.sweep_error : NULL,
			    "last_checkpoint", k[0] ? k : NULL, "checkpoint_error",
			    st.checkpoint_error[0] ? st.checkpoint_error : NULL));
}

const struct http_route http_routes_ops[] = {
	{"GET", "/health", health, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"GET", "/metrics", metrics, ROUTE_PUBLIC, NULL},
	{"GET", "/static/{file}", static_file, ROUTE_PUBLIC, NULL},
	{"GET", "/bench/static", bench_static, ROUTE_PUBLIC, NULL},
	{"GET", "/api/v1/ops/status", status, ROUTE_REG, SARGS_ACT_AUDIT_READ},
	{"POST", "/api/v1/ops/schedule/run", schedule_run, ROUTE_REG, SARGS_ACT_STAFF_MANAGE},
	{NULL, NULL, NULL, 0, NULL},
};
