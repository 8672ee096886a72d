"""Staff accounts (账号管理): own password, administrators' user management, lockouts.

An administrator manages the logins of their unit's subtree only; another unit's login is
a 404. Every change writes an `AccountEvent` in the same transaction.
"""
