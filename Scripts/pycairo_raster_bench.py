#!/usr/bin/env python3
"""The rasterizer's peer: Google's own recipe (quickdraw-dataset's vector_to_raster, pycairo) timed on the
same simplified ndjson files as `doodle bench-data`, on one thread. Prints one JSON line.

    python3 Scripts/pycairo_raster_bench.py [--side N] FILE.ndjson [...]   # needs pycairo and numpy

--side is the bitmap side (default Google's 28); line width and padding scale with it, as in Google's
recipe.
"""
import json, os, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_raster_fixtures import vector_to_raster  # Google's recipe, kept in one place


arguments = sys.argv[1:]
side = 28
if arguments[:1] == ["--side"]:
    side, arguments = int(arguments[1]), arguments[2:]
drawings = []
for path in arguments:
    with open(path) as f:
        for line in f:
            if line.strip():
                drawings.append([np.array(stroke[:2], dtype=float) for stroke in json.loads(line)["drawing"]])
vector_to_raster(drawings[:50], side=side)
start = time.process_time()
vector_to_raster(drawings, side=side)
seconds = time.process_time() - start
print(json.dumps({"engine": "pycairo", "what": "rasterize", "side": side, "drawings": len(drawings), "seconds": seconds,
                  "drawings_per_s": len(drawings) / seconds}))
