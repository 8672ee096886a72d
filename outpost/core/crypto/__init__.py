"""Encryption at rest (静态加密): keys, the encrypted model fields with their blind
indexes, the key check, and key rotation. See the README's "Encryption at rest"."""
