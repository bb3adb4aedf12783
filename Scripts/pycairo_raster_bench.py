#!/usr/bin/env python3
"""The rasterizer's peer: Google's own recipe (quickdraw-dataset's vector_to_raster, pycairo) timed on the
same simplified ndjson files as `doodle bench-data`, on one thread. Prints one JSON line.

    python3 Scripts/pycairo_raster_bench.py FILE.ndjson [FILE.ndjson ...]   # needs pycairo and numpy
"""
import json, os, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_raster_fixtures import vector_to_raster  # Google's recipe, kept in one place


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
