/*
 * sched.h — the server's scheduled work, on its own thread and its own
 * connection to the register: the daily retention sweep, backups kept to a
 * count in one or two places, and signed audit checkpoints. Failures are
 * loud: an error log line, a counter in /metrics and a warning in the staff
 * console (srv_status).
 */
#ifndef SARGS_SERVER_SCHED_H
#define SARGS_SERVER_SCHED_H

#include "util/rc.h"

struct srv;

enum sargs_rc sched_start(struct srv *s, struct sargs_err *err) SARGS_WUR;
void sched_stop(struct srv *s);

#endif
