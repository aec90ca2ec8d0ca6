/*
 * delegate — the host side of splitvm syscall delegation.
 *
 * Owns: the wire format of delegated calls (this header, usable as it is
 * from a freestanding 32-bit i386 guest and from the 64-bit host: only
 * <stdint.h>, <stddef.h> and <stdbool.h>), and the server that performs one
 * request on the host and writes its response, confined to the directories
 * the user shared.  Does not own the transport (how a request gets from the
 * guest to delegate_serve and back: the splitvm backend) nor the guest's
 * marshalling (the kernels).  docs/kernel-interface.md §Delegation is the
 * same format in prose, field by field.
 *
 * Wire rules: every field is little-endian with a fixed width; structs have
 * explicit sizes and no implicit padding (64-bit fields sit at offsets that
 * are multiples of 8, struct sizes are multiples of 8, so i386's 4-byte
 * alignment of int64_t gives the same layout); no pointers.  A message is a
 * header followed by `len` bytes of payload, at most DELEG_PAYLOAD_MAX.
 *
 * Request:  struct deleg_req  (16 bytes) + payload (the op's arguments)
 * Response: struct deleg_resp (24 bytes) + payload (the op's results)
 *
 * The response carries the request's seq and a result that is >= 0 on
 * success (an fd handle, a byte count, an offset, 0) or a negative Linux
 * errno value (-DELEG_ENOENT ...).  Requests are answered one at a time,
 * in order.
 */
#ifndef DIVER_DELEGATE_H
#define DIVER_DELEGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DELEG_VERSION           1
#define DELEG_REQ_MAGIC         0x51525644u     /* "DVRQ" in memory */
#define DELEG_RESP_MAGIC        0x53525644u     /* "DVRS" in memory */
#define DELEG_PAYLOAD_MAX       65536u          /* bounds every payload */
#define DELEG_PATH_MAX          4096u           /* bytes of a path, NUL included */
#define DELEG_NAME_MAX          256u            /* bytes of a dir entry name, NUL included */
#define DELEG_FD_MAX            64u             /* open handles (files + dirs) per net */

struct deleg_req {
	uint32_t magic;         /* DELEG_REQ_MAGIC */
	uint32_t op;            /* enum deleg_op */
	uint32_t seq;           /* chosen by the guest, echoed in the response */
	uint32_t len;           /* payload bytes after this header */
};

struct deleg_resp {
	uint32_t magic;         /* DELEG_RESP_MAGIC */
	uint32_t seq;           /* the request's seq (0 when it had none) */
	int64_t result;         /* >= 0, or -errno (Linux values, below) */
	uint32_t len;           /* payload bytes after this header */
	uint32_t reserved;      /* 0 */
};

#define DELEG_MSG_MAX (sizeof(struct deleg_resp) + DELEG_PAYLOAD_MAX)

/*
 * Operations.  "path" is a guest path: the rest of the payload after the
 * op's fixed arguments, NUL-terminated, the NUL being the payload's last
 * byte, no NUL before it, at most DELEG_PATH_MAX bytes with the NUL.
 * "handle" is a small integer (0 .. DELEG_FD_MAX-1) the delegate hands out;
 * the guest kernel maps its own fd numbers onto handles.
 *
 * op            request payload                    result / response payload
 * HELLO    0    (none)                             DELEG_VERSION; struct deleg_hello
 * OPEN     1    struct deleg_open + path           handle
 * READ     2    struct deleg_rw                    bytes read (0 = end); the bytes
 * WRITE    3    struct deleg_fd + bytes            bytes written
 * CLOSE    4    struct deleg_fd                    0 (files and dirs alike)
 * LSEEK    5    struct deleg_lseek                 the new offset
 * FSTAT    6    struct deleg_fd                    0; struct deleg_stat
 * STAT     7    path                               0; struct deleg_stat
 * UNLINK   8    path                               0
 * MKDIR    9    struct deleg_mkdir + path          0
 * OPENDIR  10   path                               handle
 * READDIR  11   struct deleg_fd                    1; struct deleg_dirent + name
 *                                                  0 at the end (no payload)
 * CLOCK    12   struct deleg_clock                 0; struct deleg_timespec
 * GETENV   13   name (like a path: NUL-terminated) value length; value + NUL
 * EXIT     14   struct deleg_exit                  0; the guest sends nothing more
 */
enum deleg_op {
	DELEG_OP_HELLO = 0,
	DELEG_OP_OPEN = 1,
	DELEG_OP_READ = 2,
	DELEG_OP_WRITE = 3,
	DELEG_OP_CLOSE = 4,
	DELEG_OP_LSEEK = 5,
	DELEG_OP_FSTAT = 6,
	DELEG_OP_STAT = 7,
	DELEG_OP_UNLINK = 8,
	DELEG_OP_MKDIR = 9,
	DELEG_OP_OPENDIR = 10,
	DELEG_OP_READDIR = 11,
	DELEG_OP_CLOCK = 12,
	DELEG_OP_GETENV = 13,
	DELEG_OP_EXIT = 14,
	DELEG_OP_COUNT
};

struct deleg_hello {            /* the delegate's limits */
	uint32_t payload_max;   /* DELEG_PAYLOAD_MAX */
	uint32_t path_max;      /* DELEG_PATH_MAX */
	uint32_t fd_max;        /* open handles allowed at once */
	uint32_t reserved;      /* 0 */
};

/* Open flags on the wire (the Linux i386/x86-64 values); others: EINVAL. */
#define DELEG_O_RDONLY          00u
#define DELEG_O_WRONLY          01u
#define DELEG_O_RDWR            02u
#define DELEG_O_ACCMODE         03u
#define DELEG_O_CREAT           0100u
#define DELEG_O_EXCL            0200u
#define DELEG_O_TRUNC           01000u
#define DELEG_O_APPEND          02000u

struct deleg_open {
	uint32_t flags;         /* DELEG_O_* */
	uint32_t mode;          /* permission bits for O_CREAT (& 07777) */
};

struct deleg_fd {
	int32_t fd;             /* handle */
	uint32_t reserved;      /* 0 */
};

struct deleg_rw {
	int32_t fd;             /* handle */
	uint32_t count;         /* bytes wanted; more than DELEG_PAYLOAD_MAX
				   (or than the response buffer holds) is a
				   short read, as POSIX allows */
};

#define DELEG_SEEK_SET  0u
#define DELEG_SEEK_CUR  1u
#define DELEG_SEEK_END  2u

struct deleg_lseek {
	int32_t fd;             /* handle */
	uint32_t whence;        /* DELEG_SEEK_* */
	int64_t offset;
};

struct deleg_mkdir {
	uint32_t mode;          /* permission bits (& 07777) */
	uint32_t reserved;      /* 0 */
};

/* File type bits of deleg_stat.mode: the Linux S_IF* values. */
#define DELEG_S_IFMT    0170000u
#define DELEG_S_IFDIR   0040000u
#define DELEG_S_IFREG   0100000u
#define DELEG_S_IFLNK   0120000u

struct deleg_stat {
	uint64_t size;          /* bytes */
	int64_t mtime_sec;      /* seconds since the epoch */
	uint32_t mtime_nsec;
	uint32_t mode;          /* DELEG_S_IF* type | permission bits */
};

/* Entry types of deleg_dirent.type: the Linux DT_* values. */
#define DELEG_DT_UNKNOWN 0u
#define DELEG_DT_DIR    4u
#define DELEG_DT_REG    8u
#define DELEG_DT_LNK    10u

struct deleg_dirent {           /* followed by namelen bytes and a NUL */
	uint32_t type;          /* DELEG_DT_* */
	uint32_t namelen;       /* without the NUL; < DELEG_NAME_MAX */
};

#define DELEG_CLOCK_REALTIME    0u
#define DELEG_CLOCK_MONOTONIC   1u

struct deleg_clock {
	uint32_t clock;         /* DELEG_CLOCK_* */
	uint32_t reserved;      /* 0 */
};

struct deleg_timespec {
	int64_t sec;
	int64_t nsec;           /* 0 .. 999999999 */
};

struct deleg_exit {
	int32_t status;         /* 0 .. 255 */
	uint32_t reserved;      /* 0 */
};

/* Errors (negated in deleg_resp.result): the Linux errno values. */
#define DELEG_EPERM             1
#define DELEG_ENOENT            2
#define DELEG_EIO               5
#define DELEG_EBADF             9
#define DELEG_EACCES            13
#define DELEG_EEXIST            17
#define DELEG_EXDEV             18
#define DELEG_ENOTDIR           20
#define DELEG_EISDIR            21
#define DELEG_EINVAL            22
#define DELEG_EMFILE            24
#define DELEG_EFBIG             27
#define DELEG_ENOSPC            28
#define DELEG_ESPIPE            29
#define DELEG_EROFS             30
#define DELEG_ENAMETOOLONG      36
#define DELEG_ENOSYS            38
#define DELEG_ENOTEMPTY         39
#define DELEG_ELOOP             40

#define DELEG_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " is " #n " bytes on the wire")
DELEG_ASSERT_SIZE(struct deleg_req, 16);
DELEG_ASSERT_SIZE(struct deleg_resp, 24);
DELEG_ASSERT_SIZE(struct deleg_hello, 16);
DELEG_ASSERT_SIZE(struct deleg_open, 8);
DELEG_ASSERT_SIZE(struct deleg_fd, 8);
DELEG_ASSERT_SIZE(struct deleg_rw, 8);
DELEG_ASSERT_SIZE(struct deleg_lseek, 16);
DELEG_ASSERT_SIZE(struct deleg_mkdir, 8);
DELEG_ASSERT_SIZE(struct deleg_stat, 24);
DELEG_ASSERT_SIZE(struct deleg_dirent, 8);
DELEG_ASSERT_SIZE(struct deleg_clock, 8);
DELEG_ASSERT_SIZE(struct deleg_timespec, 16);
DELEG_ASSERT_SIZE(struct deleg_exit, 8);
_Static_assert(offsetof(struct deleg_resp, result) == 8, "result at offset 8");
_Static_assert(offsetof(struct deleg_lseek, offset) == 8, "offset at offset 8");
_Static_assert(offsetof(struct deleg_stat, mtime_sec) == 8, "mtime at offset 8");

/* ---- the host side: not needed by a guest ---- */

/*
 * A directory given to the kernel (`--share DIR[:ro]`).  The first share is
 * the guest's root `/` and its working directory; every further share
 * appears as `/<basename of DIR>` (shadowing an entry of that name in the
 * first).  Two shares may not have the same basename.
 */
struct deleg_share {
	char *dir;              /* a host directory */
	bool ro;                /* refuse writes, creation, unlink, mkdir (EROFS) */
};

struct delegate_config {
	struct deleg_share *shares;
	size_t nshares;         /* 0: nothing is shared, every path is ENOENT */
	char **env;             /* "NAME=VALUE": all the guest's getenv sees */
	size_t nenv;
	uint64_t write_max;     /* bytes the guest may write per run; 0 = 1 GiB */
	unsigned fd_max;        /* open handles at once; 0 = DELEG_FD_MAX */
};

struct dv_err;
struct delegate;

/*
 * Building a configuration from the command line: `--share DIR[:ro|:rw]`
 * adds a share (writable unless :ro), `--env NAME` passes diver's own
 * value of NAME (an error when it has none), `--env NAME=VALUE` that
 * value; a later --env of the same NAME replaces the earlier.  What these
 * add is the config's to free, with delegate_config_release.
 */
int delegate_config_add_share(struct delegate_config *cfg, const char *arg,
			      struct dv_err *e);
int delegate_config_add_env(struct delegate_config *cfg, const char *arg,
			    struct dv_err *e);
void delegate_config_release(struct delegate_config *cfg);

/*
 * Open every share (each must be an existing directory) and copy the
 * environment; NULL and *e set when a share is missing, not a directory,
 * or clashes with another's name.  The caller may free cfg's strings after.
 */
struct delegate *delegate_new(const struct delegate_config *cfg, struct dv_err *e);

/*
 * Perform one request (req, reqlen bytes: header + payload, as received,
 * never trusted) and write its response into resp (respcap bytes, at least
 * sizeof(struct deleg_resp); DELEG_MSG_MAX holds any response).  Returns
 * the response's length in bytes; 0 only when respcap is too small for a
 * header.  Never fails otherwise: errors are answered to the guest.
 */
size_t delegate_serve(struct delegate *d, const void *req, size_t reqlen,
		      void *resp, size_t respcap);

/* true once the guest sent EXIT; *status receives its status. */
bool delegate_exited(const struct delegate *d, int *status);

/* Close every handle and share; accepts NULL. */
void delegate_free(struct delegate *d);

#endif
