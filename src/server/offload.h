/*
 * offload.h — a few threads for the requests that block: the listener's
 * threads each serve many connections and must never wait (a sign-in's
 * Argon2id takes tens of milliseconds), so such a request's handler runs
 * here while its connection is suspended.
 */
#ifndef SARGS_SERVER_OFFLOAD_H
#define SARGS_SERVER_OFFLOAD_H

#include "util/rc.h"

struct offload;

struct offload_task {
	void (*run)(struct offload_task *t); /* may free t */
	/* private */
	struct offload_task *next;
};

/* Starts n threads. */
enum sargs_rc offload_start(int n, struct offload **out, struct sargs_err *err) SARGS_WUR;
/* Queues t; one of the threads runs it. */
void offload_submit(struct offload *o, struct offload_task *t);
/* Runs what is queued, then stops the threads. */
void offload_stop(struct offload *o);

#endif
