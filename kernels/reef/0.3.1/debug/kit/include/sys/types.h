/* sys/types.h — the integer types of the file API (fcntl.h, sys/stat.h). */
#ifndef PEBBLE_SYS_TYPES_H
#define PEBBLE_SYS_TYPES_H

typedef __PTRDIFF_TYPE__ ssize_t;
typedef long long off_t;
typedef unsigned int mode_t;
typedef long long time_t;

#endif
