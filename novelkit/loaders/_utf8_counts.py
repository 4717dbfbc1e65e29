"""The byte kernels behind :mod:`._counts`: chapter lengths counted on the UTF-8 bytes
of an Arrow string chunk, by the definitions stated there.

The lengths are computed without decoding a single string. The column's data buffer
is cut, at value boundaries, into slices of about ``slice_bytes`` (usually
:data:`._counts.SLICE_BYTES`) so that the few temporary arrays of each slice stay in
the CPU cache and memory stays bounded.
In each slice:

- code points: the bytes that do not continue a sequence (``80``–``BF`` do), summed per
  value like the CJK mask below, while the slice is in cache (a separate
  ``pyarrow.compute.utf8_length`` over the column took longer than this);
- whitespace: bytes ``<= 0x20`` and the lead bytes ``C2``, ``E0``–``E3`` are the only
  places a whitespace code point can start; those few positions are decoded and looked
  up in a table of the 29 code points;
- CJK: every lead byte ``E5``–``E8`` is in U+5000–8FFF; a lead ``E4`` is in range when
  its next byte is ``>= B8`` (U+4E00 is ``E4 B8 80``); a lead ``E9`` when the code point
  is ``<= U+9FA5`` (``E9 BE A5``). Per-value sums of that byte mask go through a bit
  prefix sum (``packbits`` + ``bitwise_count``), whatever the number of values;
- Latin words: a word starts at an ASCII letter whose previous code point is not a
  letter, and is not a connector (``'``, ``-`` or ``’``) that itself follows a letter
  in the same value; that rule is exactly the number of non-overlapping matches of the
  regular expression, because every letter run belongs to some match and a run joins
  the previous match only through one connector.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["WHITESPACE", "chunk_counts"]

#: Every code point that Python's ``re`` matches with ``\s`` in a str pattern
#: (``[c for c in range(0x110000) if re.match(r"\s", chr(c))]``; a test re-derives it).
WHITESPACE = (
    *(0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680),
    *range(0x2000, 0x200B),
    *(0x2028, 0x2029, 0x202F, 0x205F, 0x3000),
)
# All of them are below U+4000, so a table indexed by the decoded code point of a
# one-, two- or three-byte sequence led by a byte <= E3 covers them.
_WS_TABLE = np.zeros(0x4000, dtype=bool)
_WS_TABLE[list(WHITESPACE)] = True

_Bytes = npt.NDArray[np.uint8]
_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


def chunk_counts(
    chunk: pa.Array, slice_bytes: int
) -> tuple[_Ints, _Ints, _Ints, npt.NDArray[np.bool_]]:
    """``(code points, whitespace, cjk_chars_plus_words, missing)`` for one string chunk.

    The chunk is valid UTF-8 (Arrow's string type promises it; novelkit validates what
    it reads), so its code points are its bytes less the continuation bytes.
    """
    size = len(chunk)
    missing = chunk.is_null().to_numpy(zero_copy_only=False)
    if size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, missing
    offsets_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    buffers = chunk.buffers()
    raw_offsets = np.frombuffer(buffers[1], dtype=offsets_type)
    offsets: _Ints = raw_offsets[chunk.offset : chunk.offset + size + 1].astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    whitespace = np.zeros(size, dtype=np.int64)
    cjk_words = np.zeros(size, dtype=np.int64)
    continuation = np.zeros(size, dtype=np.int64)
    scratch = _Scratch(limit=int(offsets[-1] - offsets[0]), usual=2 * slice_bytes)
    for first, stop in _slices(offsets, slice_bytes):
        local = offsets[first : stop + 1] - offsets[first]
        segment = data[offsets[first] : offsets[stop]]
        if segment.size == 0:
            continue
        scratch.fit(segment.size)
        counted = _slice_counts(segment, local, scratch)
        whitespace[first:stop], cjk_words[first:stop], continuation[first:stop] = counted
    code_points = np.diff(offsets) - continuation
    # (A missing value's slot may hold bytes in principle; its counts are masked anyway.)
    return code_points, whitespace, cjk_words, missing


def _slices(offsets: _Ints, slice_bytes: int) -> Iterator[tuple[int, int]]:
    """``(first, stop)`` value ranges of about ``slice_bytes`` each (a long value alone)."""
    count = len(offsets) - 1
    if count <= 0:
        return
    targets = np.arange(offsets[0] + slice_bytes, offsets[-1], slice_bytes)
    cuts = np.unique(np.concatenate(([0], np.searchsorted(offsets, targets), [count])))
    yield from zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)


class _Scratch:
    """Temporaries reused from slice to slice: allocating them anew costs more than the work.

    The kernel writes with ``out=`` into views of these, cut to the slice's length.
    """

    def __init__(self, *, limit: int, usual: int) -> None:
        self.size = -1
        self.limit = limit  # the whole chunk's bytes: no slice is longer
        self.usual = usual  # most slices are shorter: one allocation serves them all

    def fit(self, needed: int) -> None:
        if self.size >= needed:
            return
        size = min(max(needed, self.usual), self.limit)
        self.size = size
        self.shifted = np.empty(size, dtype=np.uint8)
        self.wanted = np.empty(size, dtype=np.bool_)
        self.leads = np.empty(size, dtype=np.bool_)
        self.flag = np.empty(size, dtype=np.bool_)
        self.other = np.empty(size, dtype=np.bool_)


# What the one sparse pass over a slice does with a byte found there.
_ASCII_SPACE, _LETTER, _MULTI, _E4, _E9 = 1, 2, 3, 4, 5
_BYTE_CLASS = np.zeros(256, dtype=np.uint8)
_BYTE_CLASS[[c for c in WHITESPACE if c < 0x80]] = _ASCII_SPACE
_BYTE_CLASS[[*range(0x41, 0x5B), *range(0x61, 0x7B)]] = _LETTER
_BYTE_CLASS[0xC2:0xE4] = _MULTI  # leads of the 2- and 3-byte sequences below U+4000
_BYTE_CLASS[0xE4] = _E4
_BYTE_CLASS[0xE9] = _E9
_IS_LETTER = _BYTE_CLASS == _LETTER


def _slice_counts(segment: _Bytes, local: _Ints, scratch: _Scratch) -> tuple[_Ints, _Ints, _Ints]:
    """Whitespace, (CJK + words) and continuation-byte counts of one slice's values.

    Dense byte-wise passes (with ``out=``, in cache) mark the CJK leads and the few
    positions that need a closer look; one ``flatnonzero`` finds the latter, which
    are then told apart by their byte.
    """
    size = segment.size
    values = len(local) - 1
    shifted, wanted = scratch.shifted[:size], scratch.wanted[:size]
    leads, flag = scratch.leads[:size], scratch.flag[:size]
    # Wanted: every ASCII byte (whitespace, letters, connectors: rare in Chinese prose
    # but for newlines and spaces) and the leads C2..E2 of the rare multi-byte spaces.
    np.less(segment, 0x80, out=wanted)
    np.subtract(segment, np.uint8(0xC2), out=shifted)
    np.less(shifted, 0xE3 - 0xC2, out=flag)
    wanted |= flag
    # E3 leads the common 。、《》「」 and only one space, U+3000 (E3 80 80): wanted are
    # the E3 whose third byte is 80 (rare but for U+3000); the second is checked later.
    if size > 2:
        lead3, third3 = flag[:-2], scratch.other[: size - 2]
        np.equal(segment[:-2], 0xE3, out=lead3)
        np.equal(segment[2:], 0x80, out=third3)
        lead3 &= third3
        wanted[:-2] |= lead3
    # CJK: every lead E4..E9 counts, except E4 below U+4E00 (next byte < B8) and E9
    # above U+9FA5 (next byte >= BE, third checked later): both rare, so wanted.
    np.subtract(segment, np.uint8(0xE4), out=shifted)
    np.less(shifted, 6, out=leads)
    if size > 1:
        head, body = shifted[:-1], segment[1:]
        suspect, other = flag[:-1], scratch.other[: size - 1]
        np.equal(head, 0, out=suspect)
        np.less(body, 0xB8, out=other)
        suspect &= other
        wanted[:-1] |= suspect
        np.equal(head, 5, out=suspect)
        np.greater_equal(body, 0xBE, out=other)
        suspect &= other
        wanted[:-1] |= suspect
    positions = np.flatnonzero(wanted)
    kind = _BYTE_CLASS[segment[positions]]
    last = size - 1

    space = positions[kind == _ASCII_SPACE]
    multi = positions[kind == _MULTI]
    if multi.size:
        # Positions clipped so that malformed UTF-8 cannot index past the slice.
        lead = segment[multi].astype(np.int32)
        second = segment[np.minimum(multi + 1, last)].astype(np.int32) & 0x3F
        third = segment[np.minimum(multi + 2, last)].astype(np.int32) & 0x3F
        code = np.where(
            lead < 0xE0,
            ((lead & 0x1F) << 6) | second,
            ((lead & 0x0F) << 12) | (second << 6) | third,
        )
        space = np.concatenate((space, multi[_WS_TABLE[code]]))
    whitespace = np.bincount(_value_of(space, local), minlength=values)

    outside = positions[kind == _E4]  # all of them: E4 with a next byte < B8
    e9 = positions[kind == _E9]
    if e9.size:
        third = segment[np.minimum(e9 + 2, last)]
        over = (segment[np.minimum(e9 + 1, last)] > 0xBE) | (third > 0xA5)
        outside = np.concatenate((outside, e9[over]))
    leads[outside] = False
    cjk = _segment_sums(leads, local)

    letters = positions[kind == _LETTER]
    if letters.size:
        cjk += _word_starts(segment, letters, local)

    # Continuation bytes, 80..BF: a value's code points are its bytes less these.
    np.subtract(segment, np.uint8(0x80), out=shifted)
    np.less(shifted, 0x40, out=flag)
    return whitespace, cjk, _segment_sums(flag, local)


def _value_of(positions: _Ints, local: _Ints) -> _Ints:
    """Index of the value (in the slice) each byte position belongs to."""
    return np.searchsorted(local, positions, side="right") - 1


def _word_starts(segment: _Bytes, letters: _Ints, local: _Ints) -> _Ints:
    """Latin words per value, counted at the letters (byte positions) that start one."""
    owner = _value_of(letters, local)
    into = letters - local[owner]  # bytes before the letter within its own value

    def back(distance: int) -> _Bytes:
        return segment[np.maximum(letters - distance, 0)]

    prev = back(1)
    joined = (into >= 1) & _IS_LETTER[prev]
    connector = (prev == 0x27) | (prev == 0x2D)
    if connector.any():
        joined |= (into >= 2) & connector & _IS_LETTER[back(2)]
    # ’ is E2 80 99 in UTF-8.
    quote = (into >= 4) & (prev == 0x99)
    if quote.any():
        joined |= quote & (back(2) == 0x80) & (back(3) == 0xE2) & _IS_LETTER[back(4)]
    return np.bincount(owner[~joined], minlength=len(local) - 1)


def _segment_sums(mask: _Bools, local: _Ints) -> _Ints:
    """Number of True bytes of each value, whatever the number of values.

    The mask is packed to 64-bit words; a prefix sum over the words' popcounts plus
    the popcount of the one partial word gives the count before any byte position.
    """
    packed = np.packbits(mask, bitorder="little")
    padded = np.zeros((packed.size // 8 + 2) * 8, dtype=np.uint8)
    padded[: packed.size] = packed
    words = padded.view("<u8")
    before_word = np.zeros(words.size + 1, dtype=np.int64)
    np.cumsum(np.bitwise_count(words), out=before_word[1:])
    word = local >> 6
    low_bits = (np.uint64(1) << (local & 63).astype(np.uint64)) - np.uint64(1)
    before = before_word[word] + np.bitwise_count(words[word] & low_bits)
    return np.diff(before)
