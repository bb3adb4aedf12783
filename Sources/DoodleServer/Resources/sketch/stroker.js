// One stroke's fixed-point path outlined as cairo's polygon stroker does: both sides traced as open
// contours, round joins and caps as fans of pen vertices, the contours' edges handed to the scan
// converter. Twin: Sources/DoodleData/Rasterizer+Stroker.swift (strokePath, face, join, addCap,
// addFan, addContour); Raster methods, mixed in by raster.js. Swift's join is inline in strokePath
// here, and a face is its offset (offsetX, offsetY) from its point.

import { compareSlopes, fixed, hypot } from "./fixed-point.js";
import { grownFloats } from "./work.js";

/** Raster's stroker: the contours cwX/cwY and ccwX/ccwY of the path pathX/pathY. */
export const strokerMethods = {
  pushCw(x, y) {
    if (this.cwCount === this.cwX.length) {
      this.cwX = grownFloats(this.cwX, this.cwCount + 1);
      this.cwY = grownFloats(this.cwY, this.cwX.length);
    }
    this.cwX[this.cwCount] = x;
    this.cwY[this.cwCount] = y;
    this.cwCount++;
  },

  pushCcw(x, y) {
    if (this.ccwCount === this.ccwX.length) {
      this.ccwX = grownFloats(this.ccwX, this.ccwCount + 1);
      this.ccwY = grownFloats(this.ccwY, this.ccwX.length);
    }
    this.ccwX[this.ccwCount] = x;
    this.ccwY[this.ccwCount] = y;
    this.ccwCount++;
  },

  /** Outlines the path into polygon edges, as cairo's polygon stroker does. */
  strokePath() {
    this.beginPolygon();
    if (this.penCount <= 1 || this.pathCount === 0) return;
    this.cwCount = 0;
    this.ccwCount = 0;
    const { pathX, pathY } = this;
    // The current face: its point, corners and direction; and the first face.
    let pointX = pathX[0];
    let pointY = pathY[0];
    let cwX = pointX;
    let cwY = pointY;
    let ccwX = pointX;
    let ccwY = pointY;
    let dirX = 0;
    let dirY = 0;
    let firstX = pointX;
    let firstY = pointY;
    let firstCwX = pointX;
    let firstCwY = pointY;
    let firstCcwX = pointX;
    let firstCcwY = pointY;
    let firstDirX = 0;
    let firstDirY = 0;
    let hasCurrentFace = false;
    let hasFirstFace = false;
    for (let k = 1; k < this.pathCount; k++) {
      const x = pathX[k];
      const y = pathY[k];
      if (x === pointX && y === pointY) continue;
      const dx = x - pointX;
      const dy = y - pointY;
      this.face(dx, dy);
      const startCwX = pointX - this.offsetX;
      const startCwY = pointY - this.offsetY;
      const startCcwX = pointX + this.offsetX;
      const startCcwY = pointY + this.offsetY;
      if (hasCurrentFace) {
        const turn = compareSlopes(dirX, dirY, dx, dy);
        if (turn !== 0) {
          const clockwise = turn < 0;
          if (cwX !== startCwX || cwY !== startCwY || ccwX !== startCcwX || ccwY !== startCcwY) {
            this.addFan(dirX, dirY, dx, dy, pointX, pointY, clockwise);
            if (clockwise) this.pushCw(startCwX, startCwY);
            else this.pushCcw(startCcwX, startCcwY);
          }
          if (clockwise) {
            this.pushCcw(pointX, pointY);
            this.pushCcw(startCcwX, startCcwY);
          } else {
            this.pushCw(pointX, pointY);
            this.pushCw(startCwX, startCwY);
          }
        }
      } else {
        if (!hasFirstFace) {
          firstX = pointX;
          firstY = pointY;
          firstCwX = startCwX;
          firstCwY = startCwY;
          firstCcwX = startCcwX;
          firstCcwY = startCcwY;
          firstDirX = dx;
          firstDirY = dy;
          hasFirstFace = true;
        }
        hasCurrentFace = true;
        this.pushCw(startCwX, startCwY);
        this.pushCcw(startCcwX, startCcwY);
      }
      pointX = x;
      pointY = y;
      cwX = startCwX + dx;
      cwY = startCwY + dy;
      ccwX = startCcwX + dx;
      ccwY = startCcwY + dy;
      dirX = dx;
      dirY = dy;
      this.pushCw(cwX, cwY);
      this.pushCcw(ccwX, ccwY);
    }
    if (!hasCurrentFace) {
      // A path that never moves (a dot): a full circle of pen vertices around the point.
      this.face(256, 0);
      const dotCwX = pointX - this.offsetX;
      const dotCwY = pointY - this.offsetY;
      const dotCcwX = pointX + this.offsetX;
      const dotCcwY = pointY + this.offsetY;
      this.addCap(pointX, pointY, dotCcwX, dotCcwY, -256, 0);
      this.addCap(pointX, pointY, dotCwX, dotCwY, 256, 0);
      this.pushCcw(this.ccwX[0], this.ccwY[0]);
      this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
      return;
    }
    this.addCap(pointX, pointY, cwX, cwY, dirX, dirY);
    this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
    this.ccwCount = 0;
    this.pushCcw(firstCwX, firstCwY);
    this.addCap(firstX, firstY, firstCcwX, firstCcwY, -firstDirX, -firstDirY);
    this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
    this.addContour(this.cwX, this.cwY, this.cwCount, 1);
  },

  /**
   * The corner offset (offsetX, offsetY) of a segment leaving in direction (dx, dy): computed in user
   * space from the renormalised direction, then scaled back and rounded, as cairo does.
   */
  face(dx, dy) {
    let ux = dx / 256.0;
    let uy = dy / 256.0;
    if (ux === 0) {
      uy = uy > 0 ? 1 : -1;
    } else if (uy === 0) {
      ux = ux > 0 ? 1 : -1;
    } else {
      const length = hypot(ux, uy);
      ux /= length;
      uy /= length;
    }
    ux *= this.inverseScale;
    uy *= this.inverseScale;
    if (ux === 0) {
      uy = uy > 0 ? 1 : -1;
    } else if (uy === 0) {
      ux = ux > 0 ? 1 : -1;
    } else {
      const length = hypot(ux, uy);
      ux /= length;
      uy /= length;
    }
    this.offsetX = fixed(this.scale * (-uy * 8.0));
    this.offsetY = fixed(this.scale * (ux * 8.0));
  },

  /** A round cap at a face pointing out of the stroke, on the counter-clockwise side. */
  addCap(pointX, pointY, cwX, cwY, dirX, dirY) {
    this.addFan(dirX, dirY, -dirX, -dirY, pointX, pointY, false);
    this.pushCcw(cwX, cwY);
  },

  /** Appends the pen vertices between two directions around (centerX, centerY) to one side. */
  addFan(inX, inY, outX, outY, centerX, centerY, clockwise) {
    const n = this.penCount;
    const { penX, penY } = this;
    if (clockwise) {
      this.clockwiseRange(inX, inY, outX, outY);
      let i = this.rangeStart;
      const stop = this.rangeStop;
      while (i !== stop) {
        this.pushCw(centerX + penX[i], centerY + penY[i]);
        i = i + 1 === n ? 0 : i + 1;
      }
    } else {
      this.counterClockwiseRange(inX, inY, outX, outY);
      let i = this.rangeStart;
      const stop = this.rangeStop;
      while (i !== stop) {
        this.pushCcw(centerX + penX[i], centerY + penY[i]);
        i = i === 0 ? n - 1 : i - 1;
      }
    }
  },

  /** Hands the edges between consecutive contour points to the scan converter. */
  addContour(xs, ys, count, direction) {
    for (let k = 1; k < count; k++) this.addEdge(xs[k - 1], ys[k - 1], xs[k], ys[k], direction);
  },
};
