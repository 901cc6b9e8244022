"""A small bar chart of accuracy per topic as a PNG, written with the standard library only."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

__all__ = ["accuracy_chart"]

WIDTH, HEIGHT, MARGIN = 480, 240, 20
BACKGROUND = (255, 255, 255)
AXIS = (90, 90, 90)
GRID = (225, 225, 225)
# One colour a topic, in the order given (colour-blind-safe palette).
COLOURS = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
]


def _png(pixels: list[bytearray]) -> bytes:
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def accuracy_chart(accuracies: Sequence[float]) -> bytes:
    """Bars of accuracy (0-1) left to right, with gridlines at 25, 50, 75 and 100 %."""
    pixels = [bytearray(BACKGROUND * WIDTH) for _ in range(HEIGHT)]

    def paint(x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        left, right = max(0, x0), min(WIDTH, x1)
        if right <= left:
            return
        run = bytes(colour) * (right - left)  # one slice a row, not one write a pixel
        for y in range(max(0, y0), min(HEIGHT, y1)):
            pixels[y][3 * left : 3 * right] = run

    top, bottom = MARGIN, HEIGHT - MARGIN
    for quarter in range(1, 5):
        y = bottom - (bottom - top) * quarter // 4
        paint(MARGIN, y, WIDTH - MARGIN, y + 1, GRID)
    count = max(1, len(accuracies))
    slot = (WIDTH - 2 * MARGIN) // count
    for index, accuracy in enumerate(accuracies):
        height = round((bottom - top) * max(0.0, min(1.0, accuracy)))
        x0 = MARGIN + index * slot + slot // 6
        paint(x0, bottom - height, x0 + slot * 2 // 3, bottom, COLOURS[index % len(COLOURS)])
    paint(MARGIN, top, MARGIN + 2, bottom, AXIS)
    paint(MARGIN, bottom, WIDTH - MARGIN, bottom + 2, AXIS)
    return _png(pixels)
