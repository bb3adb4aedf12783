#!/usr/bin/env python3
"""Renders stroke drawings with Google's own recipe (quickdraw-dataset's vector_to_raster, pycairo),
for the test that holds Doodle's rasterizer to it on every drawing in the shared data
(Tests/DoodleServerTests/SharedRasterTests.swift).

    python3 Scripts/pycairo_render.py IN.ndjson OUT.bin SIDE [SIDE ...]   # needs pycairo and numpy

IN holds one {"drawing": [[[x...], [y...]], ...]} per line, in simplified coordinates (0-255). For
each SIDE in turn, OUT receives every drawing's SIDE*SIDE bytes, in input order. Prints one line:
the cairo version and the count.
"""
import json
import os
import sys

import cairo
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_raster_fixtures import vector_to_raster  # Google's recipe, kept in one place


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    source, target, sides = sys.argv[1], sys.argv[2], [int(side) for side in sys.argv[3:]]
    with open(source) as f:
        drawings = [[np.array(stroke[:2], dtype=float) for stroke in json.loads(line)["drawing"]]
                    for line in f if line.strip()]
    partial = target + ".partial"
    with open(partial, "wb") as out:
        for side in sides:
            for bitmap in vector_to_raster(drawings, side=side):
                out.write(bitmap.tobytes())
    os.replace(partial, target)
    print("cairo %s: %d drawings at %s" % (cairo.cairo_version_string(), len(drawings), sides))


if __name__ == "__main__":
    main()
