/* sys/stat.h — stat, fstat and mkdir, delegated in splitvm mode (fcntl.h). */
#ifndef PEBBLE_SYS_STAT_H
#define PEBBLE_SYS_STAT_H

#include <sys/types.h>

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)

struct stat {
	off_t st_size;
	mode_t st_mode;         /* S_IF* type | permission bits */
	time_t st_mtime;
	long st_mtime_nsec;
};

int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int mkdir(const char *path, mode_t mode);

#endif
