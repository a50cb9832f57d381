"""Fingerprints of an article's text: an exact-body hash and a MinHash signature with its LSH bands.

Both are computed on the dedup key (pipelines.textkey), so copies that differ only in spellings the
normalizer unifies, marks or digits are identical here. The bands go to an indexed table, so finding
near-duplicates is a lookup on every node, across runs, with no index to rebuild in memory.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from pipelines.textkey import dedup_key

NUM_PERM = 128
# 64 bands of 2 rows: two texts share a band with probability 1-(1-J^2)^64, 99.8% at a shingle similarity J of
# 0.3 and 6% at J=0.03 (unrelated reports on the same event), so even heavily edited copies become candidates
# and the threshold on the estimated similarity decides (bench/dedup.py: 4-row bands lost a fifth of the copies
# before the threshold was applied). Changing these needs the bands of stored articles rebuilt.
BANDS, ROWS = 64, 2
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Fingerprint:
    body_hash: int          # signed 64-bit hash of the normalized body: equal bodies, equal hash
    signature: bytes        # NUM_PERM uint32 MinHash values
    bands: list[int]        # BANDS signed 64-bit keys, one per band (band number mixed in)
    words: int              # words in the normalized body


def fingerprint(title: str, body: str, shingle_size: int = 3) -> Fingerprint:
    """The fingerprint of an article; the title is left out so a retitled copy still matches."""
    words = _WORD.findall(dedup_key(body))
    body_hash = _int64(hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest())
    values = _minhash(_shingles(words, shingle_size))
    bands = [
        _int64(hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8, salt=b.to_bytes(2, "little")).digest())
        for b in range(BANDS)
    ]
    return Fingerprint(body_hash=body_hash, signature=values.tobytes(), bands=bands, words=len(words))


def similarity(a: bytes, b: bytes) -> float:
    """The MinHash estimate of the Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


# Named, not left to the library default: stored signatures must stay comparable across datasketch releases.
_SCHEME = "affine32"


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    # datasketch draws these from a fixed seed; made once instead of for every article
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME).permutations


def _shingles(words: list[str], size: int) -> set[bytes]:
    """Each run of ``size`` words (all the words, when fewer), as datasketch hashes it."""
    if len(words) < size:
        return {" ".join(words).encode()}
    return set(map(str.encode, map(" ".join, zip(*(words[i:] for i in range(size))))))


def _minhash(shingles: set[bytes]) -> np.ndarray:
    """datasketch's MinHash of ``shingles`` (scheme affine32, seed 1, its default hash), as little-endian uint32:
    the same values as ``MinHash.update_batch``, computed in a few array operations without building a MinHash and
    a list of Python ints for every article. The hash is the first 4 bytes of SHA-1, little-endian (datasketch's
    sha1_hash32), premixed by MurmurHash3's 32-bit finalizer; it must not change, or stored signatures stop matching
    new ones (tests/pipelines/test_fingerprint.py compares with datasketch's own path)."""
    digests = b"".join([hashlib.sha1(shingle).digest()[:4] for shingle in shingles])
    hv = np.frombuffer(digests, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    hv ^= hv >> np.uint32(16)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    a, b = _permutations()
    return (hv * a + b).min(axis=0).astype("<u4")


def _int64(digest: bytes) -> int:
    return int.from_bytes(digest, "little", signed=True)
