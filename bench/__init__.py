"""Benchmarks, run apart from the tests (never in CI).

They run on throwaway stores: one key-encryption key for the whole run, in the environment
so that the server processes they start read the same one (PostgreSQL requires one)."""

import os
import secrets

os.environ.setdefault("GEZINSREGIE_KEY_ENCRYPTION_KEY", secrets.token_hex(32))
