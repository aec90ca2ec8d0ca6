/* time.h — clock_gettime: the host's clocks, delegated in splitvm mode. */
#ifndef PEBBLE_TIME_H
#define PEBBLE_TIME_H

#include <sys/types.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

typedef int clockid_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

int clock_gettime(clockid_t clock, struct timespec *ts);

#endif
