/*
 * crypto — SHA-256 and Ed25519, the only module that sees OpenSSL.
 *
 * Owns: hashing (streaming and whole files), Ed25519 key generation,
 * loading PEM keys (PKCS#8 private, SubjectPublicKeyInfo public, as made by
 * `openssl genpkey -algorithm ed25519`), raw 64-byte signatures that stock
 * `openssl pkeyutl -verify -rawin` accepts, and key ids.
 *
 * A key id is the first 16 hex digits of the SHA-256 of the raw 32-byte
 * public key; it names a key in messages and manifests, it proves nothing.
 */
#ifndef DIVER_CRYPTO_H
#define DIVER_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SHA256_LEN 32
#define SHA256_HEX 65           /* 64 hex digits + NUL */
#define SIG_LEN 64
#define KEYID_HEX 17            /* 16 hex digits + NUL */

struct sha256;                  /* a running hash; opaque */

struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Finish into hex (lowercase); h may be reused after sha256_reset. */
void sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX]);
void sha256_reset(struct sha256 *h);
void sha256_free(struct sha256 *h);

void sha256_buf_hex(const void *data, size_t len, char hex[SHA256_HEX]);
/* Hash a file; *size (if not NULL) gets its length. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX], uint64_t *size,
		    struct dv_err *e);
/* True when s is 64 lowercase hex digits. */
int sha256_hex_valid(const char *s);

struct sigkey;                  /* an Ed25519 private key; opaque */
struct pubkey;                  /* an Ed25519 public key; opaque */

/* Write a new key pair to path (mode 0600) and path.pub (0644), atomically. */
int key_generate(const char *path, struct dv_err *e);

struct sigkey *sigkey_load(const char *path, struct dv_err *e);
void sigkey_free(struct sigkey *k);
/* Sign msg; sig receives SIG_LEN raw bytes. */
int sigkey_sign(struct sigkey *k, const void *msg, size_t len,
		unsigned char sig[SIG_LEN], struct dv_err *e);
void sigkey_id(const struct sigkey *k, char id[KEYID_HEX]);
/* The public half of k, as a new pubkey. */
struct pubkey *sigkey_public(const struct sigkey *k);

struct pubkey *pubkey_load(const char *path, struct dv_err *e);
/* name is used in messages only. */
struct pubkey *pubkey_load_mem(const char *pem, size_t len, const char *name,
			       struct dv_err *e);
void pubkey_free(struct pubkey *k);
/* 0 when sig is a valid signature of msg by k, -1 otherwise. */
int pubkey_verify(const struct pubkey *k, const void *msg, size_t len,
		  const unsigned char *sig, size_t siglen);
void pubkey_id(const struct pubkey *k, char id[KEYID_HEX]);
/* The key as PEM (SubjectPublicKeyInfo), newly allocated. */
char *pubkey_pem(const struct pubkey *k);

#endif
