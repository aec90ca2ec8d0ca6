/* dirent.h — directories of the host, delegated in splitvm mode (fcntl.h). */
#ifndef PEBBLE_DIRENT_H
#define PEBBLE_DIRENT_H

#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

struct dirent {
	unsigned char d_type;   /* DT_* */
	char d_name[256];
};

typedef struct pb_dir DIR;

DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);         /* NULL at the end ("." and ".." never come) */
int closedir(DIR *d);

#endif
