#!/usr/bin/env python3
"""Convert scikit-learn's bundled digits (digits.csv.gz) into data/digits/digits.bin.

Standard library only, so no numpy/scipy/scikit-learn import is needed. The input is either
the csv.gz itself or a scikit-learn wheel (the csv.gz is read from inside it):

    pip download scikit-learn==1.9.1 --no-deps -d /tmp/skl
    python3 scripts/make_digits.py /tmp/skl/scikit_learn-1.9.1-*.whl data/digits/digits.bin

Format of digits.bin (all fixed-size, no compression, so the Rust side parses it in a few lines):

    offset 0          8 bytes   magic b"TTDIGIT1"
    offset 8          4 bytes   count N, u32 little-endian (1797)
    offset 12         64*N      pixels, one byte each (0..16), image after image, row-major 8x8
    offset 12 + 64*N  N         labels, one byte each (0..9), in the same order as the images

The rows keep the csv's order, so the output is byte-identical for the same input.
"""

import csv
import gzip
import hashlib
import io
import struct
import sys
import zipfile

MAGIC = b"TTDIGIT1"
CSV_IN_WHEEL = "sklearn/datasets/data/digits.csv.gz"
# Per-class counts of sklearn.datasets.load_digits(); a mismatch means a different source file.
EXPECTED_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def read_csv_gz(path):
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            raw = wheel.read(CSV_IN_WHEEL)
    else:
        with open(path, "rb") as f:
            raw = f.read()
    text = gzip.decompress(raw).decode("ascii")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def to_int(cell, lo, hi, where):
    # The csv stores integers, sometimes written as "3.0"; anything else is a corrupt input.
    value = float(cell)
    if value != int(value) or not lo <= value <= hi:
        raise SystemExit(f"{where}: value {cell!r} is not an integer in {lo}..{hi}")
    return int(value)


def convert(rows):
    pixels = bytearray()
    labels = bytearray()
    for i, row in enumerate(rows):
        if len(row) != 65:
            raise SystemExit(f"row {i}: expected 64 pixels + 1 label, got {len(row)} columns")
        pixels.extend(to_int(c, 0, 16, f"row {i}") for c in row[:64])
        labels.append(to_int(row[64], 0, 9, f"row {i} label"))
    if len(labels) != 1797:
        raise SystemExit(f"expected 1797 rows, got {len(labels)}")
    counts = [labels.count(c) for c in range(10)]
    if counts != EXPECTED_COUNTS:
        raise SystemExit(f"class counts {counts} differ from {EXPECTED_COUNTS}")
    return MAGIC + struct.pack("<I", len(labels)) + bytes(pixels) + bytes(labels)


def main(argv):
    if len(argv) != 3:
        raise SystemExit(f"usage: {argv[0]} <digits.csv.gz | scikit_learn-*.whl> <out digits.bin>")
    blob = convert(read_csv_gz(argv[1]))
    with open(argv[2], "wb") as f:
        f.write(blob)
    print(f"wrote {argv[2]}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv)
