#include "chan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "strbuf.h"

/*
 * After the last thing moved: spin (poll without waiting) this long, then
 * doze (wait DOZE_NS at a time, the guest not told) until IDLE_NS, then
 * sleep until a kick.  A kick costs the guest a UART write (tens of us
 * under TCG), so a guest that streams must not find the thread asleep.
 */
#define SPIN_NS 2000000L
#define DOZE_NS 50000L
#define IDLE_NS 20000000L
/* A sleeping thread looks again after this long even without a kick. */
#define BACKSTOP_MS 50

struct chan {
	int ram_fd;
	unsigned char *map;             /* the region, CHAN_SIZE bytes */
	uint32_t addr;                  /* its guest-physical address */
	int in_fd, out_fd, kick_fd;
	int wake_fd;                    /* eventfd: kicks and stop, for the thread */
	int event_fd;                   /* eventfd: news for the backend */
	pthread_t thread;
	bool running, in_open;
	atomic_bool stop, broken;
	atomic_ulong calls;
	chan_serve_fn serve;
	void *ctx;
	unsigned char *req;             /* a private copy of each request */
	cpu_set_t cpus;
	bool have_cpus;
};

static _Atomic uint32_t *
field(const struct chan *c, enum chan_field f)
{
	return (_Atomic uint32_t *)(void *)(c->map + f);
}

static uint32_t
load(const struct chan *c, enum chan_field f)
{
	return atomic_load_explicit(field(c, f), memory_order_acquire);
}

static void
store(const struct chan *c, enum chan_field f, uint32_t v)
{
	atomic_store_explicit(field(c, f), v, memory_order_release);
}

/* An unlinked file nobody else can open; QEMU gets it as a descriptor. */
static int
ram_file(struct dv_err *e)
{
	const char *dirs[] = { "/dev/shm", getenv("XDG_RUNTIME_DIR"), "/tmp" };

	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		char *tmpl;
		int fd;
		if (!dirs[i] || !*dirs[i])
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		tmpl = xasprintf("%s/diver-ram.XXXXXX", dirs[i]);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
		free(tmpl);
		if (fd >= 0)
			return fd;
	}
	return dv_errno(e, "cannot make the guest's memory file in /dev/shm, "
			"$XDG_RUNTIME_DIR or /tmp (use --console uart)");
}

static void
init_region(struct chan *c)
{
	store(c, CHAN_F_VERSION, CHAN_VERSION);
	store(c, CHAN_F_SIZE, CHAN_SIZE);
	store(c, CHAN_F_OUT_OFF, CHAN_OUT_OFF);
	store(c, CHAN_F_OUT_SIZE, CHAN_RING_SIZE);
	store(c, CHAN_F_IN_OFF, CHAN_IN_OFF);
	store(c, CHAN_F_IN_SIZE, CHAN_RING_SIZE);
	store(c, CHAN_F_REQ_OFF, CHAN_REQ_OFF);
	store(c, CHAN_F_RESP_OFF, CHAN_RESP_OFF);
	store(c, CHAN_F_MBOX_SIZE, CHAN_MBOX_SIZE);
	store(c, CHAN_F_MAGIC, CHAN_MAGIC);
}

struct chan *
chan_new(long mem_mib, struct dv_err *e)
{
	struct chan *c = xcalloc(1, sizeof *c);
	off_t size = (off_t)mem_mib << 20;

	c->ram_fd = c->wake_fd = c->event_fd = -1;
	c->map = MAP_FAILED;
	if (mem_mib < 16 || mem_mib > CHAN_MAX_MEM_MIB) {
		dv_errf(e, "-m %ldM: the console's fast path needs 16M to %uM of "
			"memory (or --console uart)", mem_mib, CHAN_MAX_MEM_MIB);
		goto fail;
	}
	if ((c->ram_fd = ram_file(e)) < 0)
		goto fail;
	if (ftruncate(c->ram_fd, size) < 0) {
		dv_errno(e, "cannot size the guest's memory file to %ld MiB", mem_mib);
		goto fail;
	}
	c->addr = (uint32_t)(size - CHAN_SIZE);
	c->map = mmap(NULL, CHAN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->ram_fd,
		      (off_t)c->addr);
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->map == MAP_FAILED || c->wake_fd < 0 || c->event_fd < 0) {
		dv_errno(e, "cannot map the console's channel");
		goto fail;
	}
	init_region(c);
	return c;
fail:
	chan_free(c);
	return NULL;
}

int
chan_ram_fd(const struct chan *c)
{
	return c->ram_fd;
}

uint32_t
chan_guest_address(const struct chan *c)
{
	return c->addr;
}

void
chan_set_delegate(struct chan *c, chan_serve_fn fn, void *ctx)
{
	c->serve = fn;
	c->ctx = ctx;
	store(c, CHAN_F_FLAGS, load(c, CHAN_F_FLAGS) | CHAN_FLAG_DELEGATION);
}

void
chan_set_cpus(struct chan *c, const void *cpu_set, size_t size)
{
	CPU_ZERO(&c->cpus);
	memcpy(&c->cpus, cpu_set, size < sizeof c->cpus ? size : sizeof c->cpus);
	c->have_cpus = true;
}

static void
eventfd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof one) < 0) {
		/* a counter at its maximum has been signalled already */
	}
}

/* The guest halts waiting for us: wake it with FF 04 on COM1. */
static void
kick_guest(struct chan *c)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_exchange(field(c, CHAN_F_GUEST_WAITING), 0) &&
	    write(c->kick_fd, "\xff\x04", 2) < 0) {
		/* a full pipe: the guest has input to wake it already */
	}
}

/* The guest's stdout ring onto out_fd; 1 when something moved. */
static int
move_out(struct chan *c)
{
	uint32_t head = load(c, CHAN_F_OUT_HEAD), tail = load(c, CHAN_F_OUT_TAIL);
	uint32_t n = head - tail, off = tail & (CHAN_RING_SIZE - 1);

	if (!n)
		return 0;
	if (n > CHAN_RING_SIZE)         /* a guest that lies about its ring */
		n = CHAN_RING_SIZE;
	if (n > CHAN_RING_SIZE - off)
		n = CHAN_RING_SIZE - off;
	if (!atomic_load(&c->broken) &&
	    fs_write_all(c->out_fd, c->map + CHAN_OUT_OFF + off, n) < 0) {
		/* the reader went away: say so, and take the rest unread */
		atomic_store(&c->broken, true);
		eventfd_signal(c->event_fd);
	}
	store(c, CHAN_F_OUT_TAIL, tail + n);
	kick_guest(c);
	return 1;
}

static uint32_t
in_space(const struct chan *c)
{
	uint32_t used = load(c, CHAN_F_IN_HEAD) - load(c, CHAN_F_IN_TAIL);

	return used >= CHAN_RING_SIZE ? 0 : CHAN_RING_SIZE - used;
}

/* in_fd is readable: into the guest's stdin ring, or its end. */
static int
move_in(struct chan *c)
{
	uint32_t head = load(c, CHAN_F_IN_HEAD), off = head & (CHAN_RING_SIZE - 1);
	uint32_t room = in_space(c);
	ssize_t n;

	if (room > CHAN_RING_SIZE - off)
		room = CHAN_RING_SIZE - off;
	if (!room)
		return 0;
	n = read(c->in_fd, c->map + CHAN_IN_OFF + off, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		c->in_open = false;
		store(c, CHAN_F_IN_EOF, 1);
	} else {
		store(c, CHAN_F_IN_HEAD, head + (uint32_t)n);
	}
	kick_guest(c);
	return 1;
}

/* A posted request: copy it out of the guest's reach, serve it, answer. */
static int
serve_mailbox(struct chan *c)
{
	uint32_t seq = load(c, CHAN_F_REQ_SEQ), len;
	size_t rlen;

	if (!c->serve || seq == load(c, CHAN_F_RESP_SEQ))
		return 0;
	len = load(c, CHAN_F_REQ_LEN);
	if (len > CHAN_MBOX_SIZE)
		len = CHAN_MBOX_SIZE;
	memcpy(c->req, c->map + CHAN_REQ_OFF, len);
	rlen = c->serve(c->ctx, c->req, len, c->map + CHAN_RESP_OFF, CHAN_MBOX_SIZE);
	store(c, CHAN_F_RESP_LEN, (uint32_t)(rlen > CHAN_MBOX_SIZE ? CHAN_MBOX_SIZE : rlen));
	store(c, CHAN_F_RESP_SEQ, seq);
	atomic_fetch_add(&c->calls, 1);
	kick_guest(c);
	return 1;
}

static bool
work_pending(const struct chan *c)
{
	return load(c, CHAN_F_OUT_HEAD) != load(c, CHAN_F_OUT_TAIL) ||
	       (c->serve && load(c, CHAN_F_REQ_SEQ) != load(c, CHAN_F_RESP_SEQ));
}

static long
elapsed_ns(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

/*
 * How long the next poll waits: not at all while spinning, DOZE_NS while
 * dozing, until a kick (host_sleeping set) after that — unless work came.
 */
static struct timespec
idle_timeout(struct chan *c, const struct timespec *last)
{
	long idle = elapsed_ns(last);

	if (atomic_load(&c->stop) || idle < SPIN_NS)
		return (struct timespec){ 0, 0 };
	if (idle < IDLE_NS)
		return (struct timespec){ 0, DOZE_NS };
	store(c, CHAN_F_HOST_SLEEPING, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (work_pending(c))
		return (struct timespec){ 0, 0 };
	return (struct timespec){ BACKSTOP_MS / 1000, (BACKSTOP_MS % 1000) * 1000000L };
}

static void *
chan_main(void *arg)
{
	struct chan *c = arg;
	struct timespec last;

	if (c->have_cpus)
		pthread_setaffinity_np(pthread_self(), sizeof c->cpus, &c->cpus);
	prctl(PR_SET_TIMERSLACK, 1000UL);      /* dozing means 50 us, not 100 */
	clock_gettime(CLOCK_MONOTONIC, &last);
	for (;;) {
		bool stopping = atomic_load(&c->stop);
		struct pollfd fds[2] = {
			{ c->wake_fd, POLLIN, 0 },
			{ c->in_open && !stopping && in_space(c) ? c->in_fd : -1, POLLIN, 0 },
		};
		struct timespec wait = idle_timeout(c, &last);
		uint64_t count;
		int moved = 0;

		ppoll(fds, 2, &wait, NULL);
		store(c, CHAN_F_HOST_SLEEPING, 0);
		if (fds[0].revents && read(c->wake_fd, &count, sizeof count) < 0)
			count = 0;
		moved |= move_out(c);
		if (fds[1].revents)
			moved |= move_in(c);
		moved |= serve_mailbox(c);
		if (stopping && !moved)
			break;
		if (moved)
			clock_gettime(CLOCK_MONOTONIC, &last);
	}
	return NULL;
}

int
chan_start(struct chan *c, int in_fd, int out_fd, int kick_fd, struct dv_err *e)
{
	int rc;

	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->kick_fd = kick_fd;
	c->in_open = true;
	if (c->serve)
		c->req = xmalloc(CHAN_MBOX_SIZE);
	rc = pthread_create(&c->thread, NULL, chan_main, c);
	if (rc) {
		errno = rc;
		return dv_errno(e, "cannot start the console's channel thread");
	}
	c->running = true;
	return 0;
}

void
chan_kick(struct chan *c)
{
	eventfd_signal(c->wake_fd);
}

int
chan_event_fd(const struct chan *c)
{
	return c->event_fd;
}

bool
chan_broken(const struct chan *c)
{
	return atomic_load(&((struct chan *)c)->broken);
}

bool
chan_attached(const struct chan *c)
{
	return load(c, CHAN_F_GUEST_STATE) == 1;
}

unsigned long
chan_calls(const struct chan *c)
{
	return atomic_load(&((struct chan *)c)->calls);
}

void
chan_finish(struct chan *c)
{
	if (!c || !c->running)
		return;
	atomic_store(&c->stop, true);
	eventfd_signal(c->wake_fd);
	pthread_join(c->thread, NULL);
	c->running = false;
}

void
chan_free(struct chan *c)
{
	if (!c)
		return;
	chan_finish(c);
	if (c->map != MAP_FAILED)
		munmap(c->map, CHAN_SIZE);
	if (c->ram_fd >= 0)
		close(c->ram_fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->event_fd >= 0)
		close(c->event_fd);
	free(c->req);
	free(c);
}
