#!/usr/bin/env python3
"""The rasterizer's peer: Google's own recipe (quickdraw-dataset's vector_to_raster, pycairo) timed on the
same simplified ndjson files as `doodle bench-data`, on one thread. Prints one JSON line.

    python3 Scripts/pycairo_raster_bench.py FILE.ndjson [FILE.ndjson ...]   # needs pycairo and numpy
"""
import json, sys, time

import cairo
import numpy as np


def vector_to_raster(vector_images, side=28, line_diameter=16, padding=16):
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
    raster_images = []
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
        raster_images.append(np.copy(np.asarray(data)[::4]))
    return raster_images


drawings = []
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            if line.strip():
                drawings.append([np.array(stroke[:2], dtype=float) for stroke in json.loads(line)["drawing"]])
vector_to_raster(drawings[:50])
start = time.process_time()
vector_to_raster(drawings)
seconds = time.process_time() - start
print(json.dumps({"engine": "pycairo", "what": "rasterize", "drawings": len(drawings), "seconds": seconds,
                  "drawings_per_s": len(drawings) / seconds}))
