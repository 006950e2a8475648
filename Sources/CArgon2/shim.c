// Symbols come from libargon2.so.1; see include/gatehouse_argon2.h.
