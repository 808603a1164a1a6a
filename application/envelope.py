"""Envelope encryption's two steps, both AES-256-GCM: data is sealed with a data key (one
per case, one per family member), and data keys are wrapped with the key-encryption key.
What a ciphertext is bound to (its case, its member, its key's scope) is authenticated with
it, so a sealed value cannot be moved to another case and still open."""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class SealBrokenError(ValueError):
    """A sealed value did not open: the wrong key, another binding, or tampered with."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, bound_to: bytes) -> bytes:
    """Nonce and ciphertext (with its tag), bound to `bound_to`."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, bound_to)


def unseal(key: bytes, sealed: bytes, bound_to: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)
    except (InvalidTag, ValueError) as error:
        raise SealBrokenError("the sealed value does not open with this key here") from error


def key_id(key: bytes) -> str:
    """A short public name for a key-encryption key, stored beside what it wrapped (so a
    rotation knows which keys still need rewrapping); reveals nothing of the key."""
    return hashlib.sha256(b"gezinsregie-kek-id:" + key).hexdigest()[:16]
