// Declarations of the parts of libargon2's documented API that Gatehouse uses.
//
// Debian ships the runtime library (libargon2.so.1) on every machine but not its header or
// the unversioned .so (those come with libargon2-dev). Declaring the few functions here and
// linking by soname keeps `swift run` working on a fresh machine.
#ifndef GATEHOUSE_ARGON2_H
#define GATEHOUSE_ARGON2_H

#include <stddef.h>
#include <stdint.h>

/// ARGON2_OK from argon2.h.
#define GATEHOUSE_ARGON2_OK 0

/// Argon2_id from argon2.h's argon2_type.
#define GATEHOUSE_ARGON2_ID 2

/// Hashes `pwd` with Argon2id and writes the PHC-encoded string into `encoded`.
int argon2id_hash_encoded(const uint32_t t_cost, const uint32_t m_cost,
                          const uint32_t parallelism, const void *pwd,
                          const size_t pwdlen, const void *salt,
                          const size_t saltlen, const size_t hashlen,
                          char *encoded, const size_t encodedlen);

/// Verifies `pwd` against a PHC-encoded Argon2id string; ARGON2_OK when it matches.
int argon2id_verify(const char *encoded, const void *pwd, const size_t pwdlen);

/// The buffer size `argon2id_hash_encoded` needs, terminating NUL included.
size_t argon2_encodedlen(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism,
                         uint32_t saltlen, uint32_t hashlen, int type);

/// A static description of an error code.
const char *argon2_error_message(int error_code);

#endif
