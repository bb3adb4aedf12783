#!/usr/bin/env python3
"""Writes the PNG decoder's test fixtures: one small picture saved in every PNG colour type and bit
depth by Pillow, and the grey values Doodle must decode them to (documented formula: Rec. 601 integer
luminance (299 R + 587 G + 114 B) // 1000, composited over white: (L a + 255 (255 - a) + 127) // 255).

    /tmp/peer/bin/python Scripts/make_png_fixtures.py   # needs numpy and pillow
"""
import base64, io, json, os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DoodleDataTests", "Fixtures", "png_fixtures.json")
rng = np.random.default_rng(0)
W, H = 7, 5
rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
alpha = rng.integers(0, 256, (H, W), dtype=np.uint8)
alpha[0, 0], alpha[0, 1] = 0, 255


def over_white(lum, a):
    lum, a = lum.astype(np.int64), a.astype(np.int64)
    return ((lum * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def luminance(c):
    c = c.astype(np.int64)
    return ((299 * c[..., 0] + 587 * c[..., 1] + 114 * c[..., 2]) // 1000).astype(np.uint8)


gray = luminance(rgb)
cases = []


def add(name, image, expected, **save):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **save)
    cases.append({"name": name, "png": base64.b64encode(buffer.getvalue()).decode(), "width": W, "height": H,
                  "expected": [int(v) for v in np.asarray(expected).reshape(-1)]})


add("gray8", Image.fromarray(gray, "L"), gray)
add("gray8_optimized", Image.fromarray(gray, "L"), gray, optimize=True)
bits = (gray > 127).astype(np.uint8) * 255
add("gray1", Image.fromarray(bits, "L").convert("1"), bits)
add("gray16", Image.fromarray(gray.astype(np.uint16) * 257), gray)
add("rgb8", Image.fromarray(rgb, "RGB"), gray)
add("rgba8", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), over_white(gray, alpha))
add("la8", Image.fromarray(np.dstack([gray, alpha]), "LA"), over_white(gray, alpha))
palette_image = Image.fromarray(rgb, "RGB").quantize(colors=16, dither=Image.Dither.NONE)
pal = np.array(palette_image.getpalette()[:48], dtype=np.uint8).reshape(16, 3)
indices = np.asarray(palette_image)
add("palette4", palette_image, luminance(pal[indices]), bits=4)
add("palette8", palette_image, luminance(pal[indices]))
transparent = palette_image.copy()
transparent.info["transparency"] = bytes([0] * 3 + [255] * 13)
pal_alpha = np.array([0] * 3 + [255] * 13, dtype=np.uint8)[indices]
add("palette8_trns", transparent, over_white(luminance(pal[indices]), pal_alpha), transparency=bytes([0] * 3 + [255] * 13))
interlaced = io.BytesIO()
Image.fromarray(gray, "L").save(interlaced, format="PNG", interlace=1)
# Pillow cannot write interlaced PNGs; flip the IHDR interlace byte and fix its CRC to make one.
data = bytearray(interlaced.getvalue())
if data[28] == 0:
    import zlib
    data[28] = 1
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
cases.append({"name": "interlaced", "png": base64.b64encode(bytes(data)).decode(), "width": W, "height": H, "expected": []})

with open(OUT, "w") as f:
    json.dump(cases, f, indent=0)
print(f"wrote {len(cases)} cases to {OUT}")
