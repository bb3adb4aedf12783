#!/usr/bin/env python3
"""Writes Tests/DoodleDataTests/Fixtures/raster_fixtures.json: synthetic stroke drawings and the
bitmaps Google's exact recipe (pycairo, quickdraw-dataset README's vector_to_raster) gives them.

Run with pycairo and numpy installed, from the repository root:
    python3 Scripts/make_raster_fixtures.py
Deterministic: the cases are fixed, and a seeded generator makes the random scribbles.
"""
import json
import os
import random

import cairo
import numpy as np


def vector_to_raster(vector_images, side=28, line_diameter=16, padding=16):
    """Google's function, unchanged apart from names: black ground, white strokes, blue byte."""
    original_side = 256.0
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, side, side)
    ctx = cairo.Context(surface)
    ctx.set_antialias(cairo.ANTIALIAS_BEST)
    ctx.set_line_cap(cairo.LINE_CAP_ROUND)
    ctx.set_line_join(cairo.LINE_JOIN_ROUND)
    ctx.set_line_width(line_diameter)
    total_padding = padding * 2.0 + line_diameter
    new_scale = float(side) / float(original_side + total_padding)
    ctx.scale(new_scale, new_scale)
    ctx.translate(total_padding / 2.0, total_padding / 2.0)
    rasters = []
    for vector_image in vector_images:
        ctx.set_source_rgb(0, 0, 0)
        ctx.paint()
        bbox = np.hstack(vector_image).max(axis=1)
        offset = ((original_side, original_side) - bbox) / 2.0
        offset = offset.reshape(-1, 1)
        centered = [stroke + offset for stroke in vector_image]
        ctx.set_source_rgb(1, 1, 1)
        for xv, yv in centered:
            ctx.move_to(xv[0], yv[0])
            for x, y in zip(xv, yv):
                ctx.line_to(x, y)
            ctx.stroke()
        data = surface.get_data()
        stride = surface.get_stride()
        pixels = np.frombuffer(data, dtype=np.uint8).reshape(side, stride)[:, 0 : side * 4 : 4]
        rasters.append(pixels.reshape(-1).copy())
    return rasters


def cases():
    rng = random.Random(20240611)
    out = [
        ("dot", [[[100], [100]]]),
        ("dot at origin", [[[0], [0]]]),
        ("two dots", [[[0], [0]], [[255], [255]]]),
        ("horizontal line", [[[0, 255], [128, 128]]]),
        ("vertical line", [[[128, 128], [0, 255]]]),
        ("diagonal", [[[0, 255], [0, 255]]]),
        ("shallow slope", [[[0, 255], [100, 117]]]),
        ("back and forth", [[[10, 200, 10, 200], [50, 60, 70, 80]]]),
        ("sharp turn", [[[0, 255, 0], [0, 10, 20]]]),
        ("square", [[[0, 255, 255, 0, 0], [0, 0, 255, 255, 0]]]),
        ("collinear points", [[[0, 50, 100, 150, 255], [0, 50, 100, 150, 255]]]),
        ("repeated points", [[[30, 30, 30, 200, 200], [40, 40, 40, 90, 90]]]),
        ("overlapping strokes", [[[0, 255], [128, 128]], [[128, 128], [0, 255]], [[0, 255], [0, 255]]]),
        ("edge touching box", [[[0, 255], [0, 0]], [[255, 255], [0, 255]], [[0, 0], [255, 0]]]),
        ("small drawing", [[[0, 20, 40], [0, 30, 0]]]),
        ("self crossing", [[[0, 255, 0, 255], [0, 255, 255, 0]]]),
        # Sharp turns whose outline edges cross just below a pixel row's end: the scan converter
        # must test the next row's order at its first sample, as cairo's can_do_full_row does, or a
        # pixel wraps from 255 to 0 (found by random search; marker.ndjson line 4 in shared).
        ("sharp V crossing after a row (28)", [[[255, 251, 148], [169, 205, 120]]]),
        ("sharp V crossing after a row (28, second)", [[[240, 202, 72], [19, 174, 121]]]),
        ("sharp V crossing after a row (64)", [[[13, 43, 217], [64, 210, 163]]]),
        ("sharp V crossing after a row (128)", [[[242, 17, 94], [145, 183, 49]]]),
        ("marker, Google key 6283140043636736", [
            [[192, 185, 144, 70, 27, 38, 63, 126, 156, 187, 253, 255, 226],
             [0, 19, 68, 140, 190, 207, 235, 192, 164, 129, 31, 20, 11]],
            [[23, 20, 2, 0], [199, 210, 239, 253]]]),
    ]
    for k in range(4):
        strokes = []
        for _ in range(rng.randint(1, 4)):
            n = rng.randint(1, 12)
            strokes.append([[rng.randint(0, 255) for _ in range(n)], [rng.randint(0, 255) for _ in range(n)]])
        out.append(("random scribble %d" % k, strokes))
    return out


def main():
    records = []
    all_cases = cases()
    # Every case at Google's 28 pixels; a few at 48, and at 64 and 128 (the bigger bitmaps a model
    # may train on: Google's recipe with the surface scaled, line width and padding in proportion).
    sharp = [case for case in all_cases if case[0].startswith(("sharp", "marker"))]
    few = all_cases[:3] + all_cases[-2:]
    for side, chosen in ((28, all_cases), (48, few), (64, few + sharp), (128, all_cases[:2] + sharp)):
        for name, strokes in chosen:
            vector = [np.array(s, dtype=float) for s in strokes]
            bitmap = vector_to_raster([vector], side=side)[0]
            records.append({"name": name, "side": side, "strokes": strokes, "bitmap": bitmap.tobytes().hex()})
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Tests", "DoodleDataTests", "Fixtures", "raster_fixtures.json")
    with open(path, "w") as f:
        json.dump({"generator": "Scripts/make_raster_fixtures.py", "cairo": cairo.cairo_version_string(),
                   "cases": records}, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %d cases to %s" % (len(records), os.path.normpath(path)))


if __name__ == "__main__":
    main()
