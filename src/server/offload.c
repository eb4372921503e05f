/*
 * offload.c — threads for the requests that block (offload.h).
 */
#include "server/offload.h"

#include <pthread.h>
#include <stdlib.h>

#define OFFLOAD_MAX 16

struct offload {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct offload_task *head, *tail;
	int stopping;
	int n;
	pthread_t thread[OFFLOAD_MAX];
};

static void *offload_main(void *arg)
{
	struct offload *o = arg;

	pthread_mutex_lock(&o->mu);
	for (;;) {
		struct offload_task *t;

		while (!o->head && !o->stopping)
			pthread_cond_wait(&o->cv, &o->mu);
		t = o->head;
		if (!t)
			break; /* stopping and nothing queued */
		o->head = t->next;
		if (!o->head)
			o->tail = NULL;
		pthread_mutex_unlock(&o->mu);
		t->run(t);
		pthread_mutex_lock(&o->mu);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

enum sargs_rc offload_start(int n, struct offload **out, struct sargs_err *err)
{
	struct offload *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (!o)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if (n < 1)
		n = 1;
	if (n > OFFLOAD_MAX)
		n = OFFLOAD_MAX;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	for (o->n = 0; o->n < n; o->n++) {
		if (pthread_create(&o->thread[o->n], NULL, offload_main, o) != 0) {
			offload_stop(o);
			return sargs_err_set(err, SARGS_E_NOMEM, "cannot start a request thread");
		}
	}
	*out = o;
	return SARGS_OK;
}

void offload_submit(struct offload *o, struct offload_task *t)
{
	t->next = NULL;
	pthread_mutex_lock(&o->mu);
	if (o->tail)
		o->tail->next = t;
	else
		o->head = t;
	o->tail = t;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

void offload_stop(struct offload *o)
{
	int i;

	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->stopping = 1;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	for (i = 0; i < o->n; i++)
		pthread_join(o->thread[i], NULL);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o);
}
