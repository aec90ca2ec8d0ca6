#include "crypto.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fs.h"
#include "strbuf.h"

#define KEYFILE_MAX (64 * 1024)

/*
 * libcrypto is opened with dlopen when the first hash or key is made, not
 * at start-up: commands that need neither (dive, list, search) then do not
 * pay for loading and relocating it, about 1.2 ms of every start
 * (docs/benchmarks.md).  OSSL lists every function used below; the macros
 * after ossl_load make each call go through its pointer.
 */
#define LIBCRYPTO_SONAME "libcrypto.so.3"

#define OSSL(X) \
	X(BIO_ctrl) X(BIO_free) X(BIO_new) X(BIO_new_mem_buf) X(BIO_s_mem) \
	X(ERR_clear_error) X(EVP_Digest) X(EVP_DigestFinal_ex) \
	X(EVP_DigestInit_ex) X(EVP_DigestSign) X(EVP_DigestSignInit) \
	X(EVP_DigestUpdate) X(EVP_DigestVerify) X(EVP_DigestVerifyInit) \
	X(EVP_MD_CTX_free) X(EVP_MD_CTX_new) X(EVP_PKEY_Q_keygen) \
	X(EVP_PKEY_free) X(EVP_PKEY_get_base_id) X(EVP_PKEY_get_raw_public_key) \
	X(EVP_PKEY_new_raw_public_key) X(EVP_sha256) X(OPENSSL_cleanse) \
	X(PEM_read_bio_PUBKEY) X(PEM_read_bio_PrivateKey) \
	X(PEM_write_bio_PUBKEY) X(PEM_write_bio_PrivateKey)

static struct {
#define OSSL_SLOT(f) __typeof__(f) *f;
	OSSL(OSSL_SLOT)
#undef OSSL_SLOT
	char error[256];        /* why loading failed; "" when it worked */
} ossl;

static pthread_once_t ossl_once = PTHREAD_ONCE_INIT;

static void
ossl_open(void)
{
	void *so = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!so) {
		snprintf(ossl.error, sizeof ossl.error, "cannot load %s (%s): install "
			 "libssl3 (scripts/install-deps does)", LIBCRYPTO_SONAME, dlerror());
		return;
	}
#define OSSL_SYM(f) \
	if (!ossl.error[0] && !(*(void **)&ossl.f = dlsym(so, #f))) \
		snprintf(ossl.error, sizeof ossl.error, "'%s' has no '%s': install " \
			 "libssl3 3.0 or newer", LIBCRYPTO_SONAME, #f);
	OSSL(OSSL_SYM)
#undef OSSL_SYM
}

/* 0 once libcrypto is loaded (from any thread); else -1 and why, in e. */
static int
ossl_load(struct dv_err *e)
{
	pthread_once(&ossl_once, ossl_open);
	if (!ossl.error[0])
		return 0;
	return e ? dv_errf(e, "%s", ossl.error) : -1;
}

#define OSSL_CALL(f) (*ossl.f)
#define BIO_ctrl OSSL_CALL(BIO_ctrl)
#define BIO_free OSSL_CALL(BIO_free)
#define BIO_new OSSL_CALL(BIO_new)
#define BIO_new_mem_buf OSSL_CALL(BIO_new_mem_buf)
#define BIO_s_mem OSSL_CALL(BIO_s_mem)
#define ERR_clear_error OSSL_CALL(ERR_clear_error)
#define EVP_Digest OSSL_CALL(EVP_Digest)
#define EVP_DigestFinal_ex OSSL_CALL(EVP_DigestFinal_ex)
#define EVP_DigestInit_ex OSSL_CALL(EVP_DigestInit_ex)
#define EVP_DigestSign OSSL_CALL(EVP_DigestSign)
#define EVP_DigestSignInit OSSL_CALL(EVP_DigestSignInit)
#define EVP_DigestUpdate OSSL_CALL(EVP_DigestUpdate)
#define EVP_DigestVerify OSSL_CALL(EVP_DigestVerify)
#define EVP_DigestVerifyInit OSSL_CALL(EVP_DigestVerifyInit)
#define EVP_MD_CTX_free OSSL_CALL(EVP_MD_CTX_free)
#define EVP_MD_CTX_new OSSL_CALL(EVP_MD_CTX_new)
#define EVP_PKEY_Q_keygen OSSL_CALL(EVP_PKEY_Q_keygen)
#define EVP_PKEY_free OSSL_CALL(EVP_PKEY_free)
#define EVP_PKEY_get_base_id OSSL_CALL(EVP_PKEY_get_base_id)
#define EVP_PKEY_get_raw_public_key OSSL_CALL(EVP_PKEY_get_raw_public_key)
#define EVP_PKEY_new_raw_public_key OSSL_CALL(EVP_PKEY_new_raw_public_key)
#define EVP_sha256 OSSL_CALL(EVP_sha256)
#define OPENSSL_cleanse OSSL_CALL(OPENSSL_cleanse)
#define PEM_read_bio_PUBKEY OSSL_CALL(PEM_read_bio_PUBKEY)
#define PEM_read_bio_PrivateKey OSSL_CALL(PEM_read_bio_PrivateKey)
#define PEM_write_bio_PUBKEY OSSL_CALL(PEM_write_bio_PUBKEY)
#define PEM_write_bio_PrivateKey OSSL_CALL(PEM_write_bio_PrivateKey)

struct sha256 {
	EVP_MD_CTX *ctx;
};

struct sigkey {
	EVP_PKEY *pkey;
	char id[KEYID_HEX];
};

struct pubkey {
	EVP_PKEY *pkey;
	char id[KEYID_HEX];
};

static void
hexify(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

struct sha256 *
sha256_new(void)
{
	struct sha256 *h = xcalloc(1, sizeof *h);

	/* no error to return here: without libcrypto diver cannot hash at all */
	if (ossl_load(NULL) < 0)
		abort();
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		abort();
	return h;
}

void
sha256_update(struct sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void
sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX])
{
	unsigned char md[SHA256_LEN];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	hexify(md, SHA256_LEN, hex);
}

void
sha256_reset(struct sha256 *h)
{
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void
sha256_free(struct sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void
sha256_buf_hex(const void *data, size_t len, char hex[SHA256_HEX])
{
	unsigned char md[SHA256_LEN];

	if (ossl_load(NULL) < 0)
		abort();
	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	hexify(md, SHA256_LEN, hex);
}

int
sha256_file_hex(const char *path, char hex[SHA256_HEX], uint64_t *size,
		struct dv_err *e)
{
	static const size_t bufsize = 256 * 1024;
	struct sha256 *h;
	unsigned char *buf;
	uint64_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dv_errno(e, "cannot open '%s'", path);
	h = sha256_new();
	buf = xmalloc(bufsize);
	while ((n = read(fd, buf, bufsize)) > 0) {
		sha256_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0)
		dv_errno(e, "cannot read '%s'", path);
	close(fd);
	free(buf);
	if (n < 0) {
		sha256_free(h);
		return -1;
	}
	sha256_final_hex(h, hex);
	sha256_free(h);
	if (size)
		*size = total;
	return 0;
}

int
sha256_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

static int
raw_public(EVP_PKEY *pkey, unsigned char raw[32])
{
	size_t len = 32;

	return EVP_PKEY_get_raw_public_key(pkey, raw, &len) == 1 && len == 32
		       ? 0 : -1;
}

static void
compute_id(EVP_PKEY *pkey, char id[KEYID_HEX])
{
	unsigned char raw[32];
	char hex[SHA256_HEX];

	if (raw_public(pkey, raw) < 0) {
		strcpy(id, "????????????????");
		return;
	}
	sha256_buf_hex(raw, sizeof raw, hex);
	memcpy(id, hex, KEYID_HEX - 1);
	id[KEYID_HEX - 1] = '\0';
}

static char *
bio_string(BIO *bio)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	return xstrndup(data, (size_t)n);
}

int
key_generate(const char *path, struct dv_err *e)
{
	EVP_PKEY *pkey;
	BIO *priv, *pub;
	char *privpem = NULL, *pubpem = NULL, *pubpath;
	int rc = -1;

	if (ossl_load(e) < 0)
		return -1;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	priv = BIO_new(BIO_s_mem());
	pub = BIO_new(BIO_s_mem());
	pubpath = xasprintf("%s.pub", path);
	if (!pkey || !priv || !pub ||
	    PEM_write_bio_PrivateKey(priv, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(pub, pkey) != 1) {
		dv_errf(e, "cannot generate an Ed25519 key");
		goto out;
	}
	privpem = bio_string(priv);
	pubpem = bio_string(pub);
	if (fs_write_atomic(path, privpem, strlen(privpem), 0600, e) < 0 ||
	    fs_write_atomic(pubpath, pubpem, strlen(pubpem), 0644, e) < 0)
		goto out;
	rc = 0;
out:
	if (privpem)
		OPENSSL_cleanse(privpem, strlen(privpem));
	free(privpem);
	free(pubpem);
	free(pubpath);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pkey);
	return rc;
}

static int
is_ed25519(EVP_PKEY *pkey)
{
	return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
}

struct sigkey *
sigkey_load(const char *path, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct sigkey *k;
	EVP_PKEY *pkey;
	BIO *bio;

	if (ossl_load(e) < 0)
		return NULL;
	if (fs_read_file(path, KEYFILE_MAX, &sb, e) < 0) {
		dv_err_prefix(e, "signing key");
		return NULL;
	}
	bio = BIO_new_mem_buf(sb.buf, (int)sb.len);
	pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(sb.buf, sb.len);
	strbuf_release(&sb);
	ERR_clear_error();
	if (!pkey || !is_ed25519(pkey)) {
		EVP_PKEY_free(pkey);
		dv_errf(e, "signing key '%s': not an Ed25519 private key in PEM "
			"(make one with 'bundler keygen -o KEY')", path);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->pkey = pkey;
	compute_id(pkey, k->id);
	return k;
}

void
sigkey_free(struct sigkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
sigkey_sign(struct sigkey *k, const void *msg, size_t len,
	    unsigned char sig[SIG_LEN], struct dv_err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = SIG_LEN;
	int ok;

	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == SIG_LEN;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : dv_errf(e, "cannot sign with key %s", k->id);
}

void
sigkey_id(const struct sigkey *k, char id[KEYID_HEX])
{
	memcpy(id, k->id, KEYID_HEX);
}

struct pubkey *
sigkey_public(const struct sigkey *k)
{
	unsigned char raw[32];
	struct pubkey *pub;
	EVP_PKEY *pkey;

	if (raw_public(k->pkey, raw) < 0)
		abort();
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, sizeof raw);
	if (!pkey)
		abort();
	pub = xcalloc(1, sizeof *pub);
	pub->pkey = pkey;
	memcpy(pub->id, k->id, KEYID_HEX);
	return pub;
}

struct pubkey *
pubkey_load_mem(const char *pem, size_t len, const char *name, struct dv_err *e)
{
	EVP_PKEY *pkey;
	struct pubkey *k;
	BIO *bio;

	if (ossl_load(e) < 0)
		return NULL;
	bio = BIO_new_mem_buf(pem, (int)len);
	pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey || !is_ed25519(pkey)) {
		EVP_PKEY_free(pkey);
		dv_errf(e, "public key '%s': not an Ed25519 public key in PEM "
			"(the .pub file written by 'bundler keygen')", name);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->pkey = pkey;
	compute_id(pkey, k->id);
	return k;
}

struct pubkey *
pubkey_load(const char *path, struct dv_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct pubkey *k;

	if (fs_read_file(path, KEYFILE_MAX, &sb, e) < 0) {
		dv_err_prefix(e, "public key");
		return NULL;
	}
	k = pubkey_load_mem(sb.buf, sb.len, path, e);
	strbuf_release(&sb);
	return k;
}

void
pubkey_free(struct pubkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
pubkey_verify(const struct pubkey *k, const void *msg, size_t len,
	      const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	int ok;

	if (siglen != SIG_LEN)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

void
pubkey_id(const struct pubkey *k, char id[KEYID_HEX])
{
	memcpy(id, k->id, KEYID_HEX);
}

char *
pubkey_pem(const struct pubkey *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s;

	if (!bio || PEM_write_bio_PUBKEY(bio, k->pkey) != 1)
		abort();
	s = bio_string(bio);
	BIO_free(bio);
	return s;
}
