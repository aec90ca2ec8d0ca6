#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fs.h"
#include "harness.h"
#include "strbuf.h"

TEST(sha256_known_answers)
{
	char hex[SHA256_HEX];
	struct sha256 *h = sha256_new();

	sha256_buf_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_buf_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* streaming in pieces gives the same answer */
	sha256_update(h, "a", 1);
	sha256_update(h, "bc", 2);
	sha256_final_hex(h, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_free(h);
	CHECK(sha256_hex_valid("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(!sha256_hex_valid("BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(!sha256_hex_valid("abc"));
}

TEST(sha256_file_matches_buffer)
{
	char *path = fs_join(harness_tmpdir(), "f"), a[SHA256_HEX], b[SHA256_HEX];
	struct dv_err e = { "" };
	uint64_t size = 0;

	CHECK(fs_write_atomic(path, "hello\n", 6, 0644, &e) == 0);
	CHECK(sha256_file_hex(path, a, &size, &e) == 0);
	sha256_buf_hex("hello\n", 6, b);
	CHECK_STR(a, b);
	CHECK(size == 6);
	CHECK(sha256_file_hex("/nonexistent/x", a, &size, &e) < 0);
	CHECK_CONTAINS(e.msg, "/nonexistent/x");
	free(path);
}

TEST(sign_and_verify)
{
	char *key = fs_join(harness_tmpdir(), "key"), *pub = xasprintf("%s.pub", key);
	char a[KEYID_HEX], b[KEYID_HEX];
	unsigned char sig[SIG_LEN];
	struct dv_err e = { "" };
	struct sigkey *sk;
	struct pubkey *pk, *half;

	CHECK(key_generate(key, &e) == 0);
	sk = sigkey_load(key, &e);
	pk = pubkey_load(pub, &e);
	CHECK(sk && pk);
	if (!sk || !pk)
		return;
	CHECK(sigkey_sign(sk, "message", 7, sig, &e) == 0);
	CHECK(pubkey_verify(pk, "message", 7, sig, SIG_LEN) == 0);
	CHECK(pubkey_verify(pk, "messagE", 7, sig, SIG_LEN) < 0);
	sig[0] ^= 1;
	CHECK(pubkey_verify(pk, "message", 7, sig, SIG_LEN) < 0);
	CHECK(pubkey_verify(pk, "message", 7, sig, SIG_LEN - 1) < 0);
	sigkey_id(sk, a);
	pubkey_id(pk, b);
	CHECK_STR(a, b);
	CHECK(strlen(a) == 16);
	half = sigkey_public(sk);
	pubkey_id(half, b);
	CHECK_STR(a, b);
	pubkey_free(half);
	sigkey_free(sk);
	pubkey_free(pk);
	free(key);
	free(pub);
}

TEST(keys_are_checked)
{
	char *path = fs_join(harness_tmpdir(), "notakey");
	struct dv_err e = { "" };

	fs_write_atomic(path, "hello", 5, 0644, &e);
	CHECK(sigkey_load(path, &e) == NULL);
	CHECK_CONTAINS(e.msg, "not an Ed25519 private key");
	CHECK(pubkey_load(path, &e) == NULL);
	CHECK_CONTAINS(e.msg, "not an Ed25519 public key");
	CHECK(pubkey_load("/nonexistent.pub", &e) == NULL);
	CHECK_CONTAINS(e.msg, "/nonexistent.pub");
	free(path);
}

TEST(openssl_made_keys_work)
{
	char *key = fs_join(harness_tmpdir(), "ossl"), *cmd;
	struct dv_err e = { "" };
	struct sigkey *sk;

	cmd = xasprintf("openssl genpkey -algorithm ed25519 -out %s 2>/dev/null", key);
	if (system(cmd) != 0) {
		free(cmd);
		free(key);
		return;   /* openssl missing: the shell tests cover interop */
	}
	sk = sigkey_load(key, &e);
	CHECK(sk != NULL);
	sigkey_free(sk);
	free(cmd);
	free(key);
}
