#!/usr/bin/env python3
"""Writes the image reader's fuzz seeds (fuzz/seeds/image/): small PNGs of every colour type
and depth the reader accepts or rejects, binary PPM/PGM files with comments, and PAM files.
Rerun it to reproduce the committed files: python3 fuzz/seeds/make_image_seeds.py"""
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image")


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(w, h, color, depth, rows, extra=()):
    """rows: one bytes object per row (filter byte 0 is added)."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0)
    raw = b"".join(b"\0" + r for r in rows)
    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", ihdr)]
    parts += [chunk(k, d) for k, d in extra]
    parts += [chunk(b"IDAT", zlib.compress(raw)), chunk(b"IEND", b"")]
    return b"".join(parts)


def ramp(n, step=37):
    return bytes((i * step) % 256 for i in range(n))


SEEDS = {
    "grey8.png": png(4, 3, 0, 8, [ramp(4, 11 + r) for r in range(3)]),
    "rgb8.png": png(5, 4, 2, 8, [ramp(15, 7 + r) for r in range(4)]),
    "palette.png": png(3, 3, 3, 8, [bytes([0, 1, 2])] * 3,
                       [(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))]),
    "palette_trns.png": png(3, 2, 3, 8, [bytes([0, 1, 0])] * 2,
                            [(b"PLTE", bytes([9, 8, 7, 6, 5, 4])), (b"tRNS", b"\x80")]),
    "grey1.png": png(8, 2, 0, 1, [b"\xa5", b"\x5a"]),
    "grey16.png": png(2, 2, 0, 16, [ramp(4), ramp(4, 3)]),
    "rgba8.png": png(2, 2, 6, 8, [ramp(8), ramp(8, 5)]),
    "grey_alpha8.png": png(2, 1, 4, 8, [ramp(4)]),
    "rgb.ppm": b"P6\n# a comment\n3 2\n255\n" + ramp(18),
    "grey.pgm": b"P5 4 2 255\n" + ramp(8, 29),
    "maxval.pgm": b"P5\n2 2\n65535\n" + ramp(8),
    "grey_alpha.pam": b"P7\n# two channels\nWIDTH 3\nHEIGHT 2\nDEPTH 2\nMAXVAL 255\n"
                      b"TUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n" + ramp(12, 23),
    "maxval.pam": b"P7\nWIDTH 1\nHEIGHT 1\nDEPTH 4\nMAXVAL 65535\nENDHDR\n" + ramp(8),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(SEEDS)} seeds to {OUT}")
