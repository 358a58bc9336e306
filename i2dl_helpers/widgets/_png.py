"""A minimal, fast PNG encoder for RGBA canvases.

Pillow's encoder tries several row filters and takes ~12 ms for a 950×360 figure;
rows without a filter compressed by zlib at level 1 take ~5 ms at the same size
(the figures are mostly flat colour, so they compress well anyway). This is
what makes a slider update cost a few milliseconds instead of a dozen.
"""
from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an (h, w, 4) uint8 image, stored as RGB (alpha dropped)."""
    h, w, _ = rgba.shape
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" for every row
    raw[:, 1:].reshape(h, w, 3)[...] = rgba[..., :3]
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + _chunk(b"IEND", b""))
