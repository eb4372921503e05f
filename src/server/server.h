/*
 * server.h — `sargs serve`: configuration, the running server's state, its
 * log, metrics and the scheduled work (retention sweep, backups, signed
 * audit checkpoints).
 */
#ifndef SARGS_SERVER_SERVER_H
#define SARGS_SERVER_SERVER_H

#include "server/http.h"
#include "server/worker.h"
#include "util/rc.h"

#include <pthread.h>
#include <stdint.h>

#define SRV_PATH_MAX 1024

struct srv_config {
	char data[SRV_PATH_MAX];        /* the register's directory */
	char listen[64];                /* address to bind; 127.0.0.1 by default */
	int port;                       /* 8080 by default */
	char tls_cert[SRV_PATH_MAX];    /* PEM; with tls_key: serve HTTPS */
	char tls_key[SRV_PATH_MAX];
	char public_url[256];           /* how customers reach the server (links) */
	int behind_https_proxy;         /* a proxy terminates TLS: cookies are Secure */
	int link_days;                  /* validity of preference links */
	int max_connections;
	int threads;                    /* listener threads; 0: one per core */
	int login_per_minute;           /* sign-in attempts per address */
	int public_posts_per_minute;    /* public form posts per address */
	int sweep_hours;                /* retention sweep interval; 0: never */
	char backup_dir[SRV_PATH_MAX];  /* scheduled backups; empty: none */
	char backup_copy_dir[SRV_PATH_MAX]; /* a second place for each backup */
	int backup_hours;
	int backup_keep;                /* backups kept in each place */
	char checkpoint_dir[SRV_PATH_MAX];  /* signed audit checkpoints; empty: none */
	char checkpoint_copy_dir[SRV_PATH_MAX];
	char checkpoint_key[SRV_PATH_MAX];
	int checkpoint_minutes;
	int log_json;                   /* log lines as JSON instead of key=value */
};

/* Defaults (data from $SARGS_DATA or ./sargs-data). */
void srv_config_defaults(struct srv_config *cfg);
/*
 * Reads an INI file ([server], [schedule], [log] sections; see
 * docs/server.md) over cfg. Unknown sections or keys, bad numbers and
 * lines that are not "key = value" are errors that name the line.
 */
enum sargs_rc srv_config_load(struct srv_config *cfg, const char *path,
			      struct sargs_err *err) SARGS_WUR;
/* Sets one key ("port", "backup_dir", ...) as the INI file would. */
enum sargs_rc srv_config_set(struct srv_config *cfg, const char *key, const char *value,
			     struct sargs_err *err) SARGS_WUR;
/* Checks the whole configuration (files exist, numbers in range). */
enum sargs_rc srv_config_check(const struct srv_config *cfg, struct sargs_err *err) SARGS_WUR;

/* What the scheduled work last did (shown in the console and /metrics). */
struct srv_status {
	int64_t started_us;
	int64_t last_sweep_us;
	int64_t last_backup_us;          /* last successful backup */
	int64_t last_backup_try_us;
	char backup_error[SARGS_ERR_BYTES]; /* empty when the last one succeeded */
	unsigned long long backup_failures;
	int64_t last_checkpoint_us;
	char checkpoint_error[SARGS_ERR_BYTES];
	char sweep_error[SARGS_ERR_BYTES];
	/* counted by the scheduler every tick (so /metrics costs the worker
	 * nothing); counted_us 0 until the first count */
	int64_t counted_us;
	int64_t subjects;
	int64_t audit_entries;
	int64_t overdue_requests;
};

#define SRV_LAT_BUCKETS 12

struct srv_metrics {
	unsigned long long requests[6];  /* by status class: 1xx..5xx; [0] other */
	unsigned long long log_restarts;      /* the register's log started over */
	unsigned long long log_restart_busy;  /* put off: a reader stayed */
	unsigned long long lat_buckets[SRV_LAT_BUCKETS]; /* cumulative counts */
	double lat_sum_s;
	unsigned long long lat_count;
};

struct srv_ratelimit;
struct srv_readers;
struct offload;

struct srv {
	struct srv_config cfg;
	struct worker *worker;
	void *daemon;                    /* struct MHD_Daemon */
	pthread_mutex_t mu;              /* guards status and metrics */
	struct srv_status status;
	struct srv_metrics metrics;
	struct srv_ratelimit *logins;
	struct srv_ratelimit *public_posts;
	struct srv_readers *readers;     /* read-only connections (ROUTE_READ) */
	struct offload *offload;         /* threads for handlers that block */
	int inflight;                    /* suspended requests; under mu */
	int draining;                    /* stopping: no new work; under mu */
	int unanswered;                  /* went async, answer not out; under mu */
	int log_restarted_frames;        /* the log's size when it last started
					  * over (main thread only) */
	pthread_cond_t idle;             /* inflight fell to 0 */
	struct sargs_reg *ckpt_reg;      /* the background checkpoint's connection */
	pthread_t sched;
	int sched_running;
	int sched_kicked;                /* under sched_mu */
	volatile int stopping;
	pthread_mutex_t sched_mu;
	pthread_cond_t sched_cv;
	unsigned char static_body[64];   /* the benchmark's static answer */
	struct srv_logbuf *logbuf;       /* lines not written yet (srv_log) */
};

/*
 * Runs the server until SIGTERM or SIGINT: opens the register, starts the
 * worker, the scheduler and the listener, prints where it listens to
 * stdout. Returns SARGS_OK on a clean shutdown.
 */
enum sargs_rc srv_run(const struct srv_config *cfg, struct sargs_err *err) SARGS_WUR;

/* One log line into line (cap bytes, at least 3): "ts=TS level=L event=E
 * REST" or, json, {"ts":..,"level":..,"event":..,"detail":"REST"}, ended by
 * a newline; rest (may be NULL) is made safe in place (control characters,
 * backslashes and, in JSON, quotes become '?'). A line that does not fit is
 * cut to cap - 2 bytes and its newline, as snprintf would have cut it.
 * Returns its length. */
size_t srv_log_line(char *line, size_t cap, int json, const char *ts, const char *level,
		    const char *event, char *rest);

/* Structured log line to stderr: level, event and key=value pairs as given
 * (never personal data). */
void srv_log(const struct srv *s, const char *level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1 when addr may try another sign-in now (counts the try). */
int srv_login_allowed(struct srv *s, const char *addr);
/* 1 when addr may post another public form now (counts it). */
int srv_public_post_allowed(struct srv *s, const char *addr);

/* Copies the status under the lock. */
void srv_status_get(struct srv *s, struct srv_status *out);

/* Runs the scheduled jobs once now (used by tests via /api/v1/ops/run). */
void srv_sched_kick(struct srv *s);

#endif
