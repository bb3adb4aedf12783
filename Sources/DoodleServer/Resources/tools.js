// The drawing pad's tools beside freehand drawing (canvas.js): a straight line, and transform, which
// selects strokes and moves or scales them. No Swift twin: the server sees only the strokes they leave.
// Both work in pad units, on the pad's strokes, and record what they change in its undo history.

const SIZE = 1000;          // the pad's square, as in canvas.js
const HANDLE = 10;          // a scale handle's side, in CSS pixels
const REACH = { mouse: 8, pen: 10, touch: 22 };  // how near a press must be to a stroke or handle, CSS px
const MIN_EXTENT = 10;      // the smallest a selection may be scaled to, in pad units

const round = (v) => Math.min(SIZE, Math.max(0, Math.round(v * 100) / 100));
const clamp = (v, low, high) => Math.min(high, Math.max(low, v));

/** Press, drag, release: a straight stroke of two points, shown as it is dragged. */
export class LineTool {
  constructor(pad) {
    this.pad = pad;
  }

  down(point) {
    this.pad.beginStroke(point);
    return true;
  }

  /** Moves the line's end; a line back on its start is a dot, as a tap draws in freehand. */
  move([x, y]) {
    const [xs, ys, ts] = this.pad.current;
    if (x === xs.at(-1) && y === ys.at(-1)) return false;
    xs.length = ys.length = ts.length = 1;
    if (x !== xs[0] || y !== ys[0]) {
      xs.push(x);
      ys.push(y);
      ts.push(this.pad.elapsed());
    }
    return true;
  }

  end() {
    this.pad.current = null;
    return true;
  }
}

/**
 * Transform: a press on a stroke selects it, a drag on empty space selects the strokes its rectangle
 * touches (Shift adds to the selection). A drag inside the selection moves it; a drag on a corner
 * handle scales it, the same on both axes, about the opposite corner. Points never leave the pad.
 * Each drag is one undo step: the history keeps the strokes as they were before it.
 */
export class TransformTool {
  constructor(pad) {
    this.pad = pad;
    this.selection = new Set();  // indices into pad.strokes
    this.drag = null;            // { kind: "move" | "scale" | "marquee", ... } while a pointer is down
    this.keyEdit = null;         // the history entry consecutive arrow keys add to
  }

  /** The selected strokes' indices, in order. */
  get selected() {
    return [...this.selection].filter((i) => i < this.pad.strokes.length).sort((a, b) => a - b);
  }

  /** Selects the strokes at `indices`, and tells the page when that changes the selection. */
  select(indices) {
    const next = new Set(indices);
    if (next.size === this.selection.size && [...next].every((i) => this.selection.has(i))) return;
    this.selection = next;
    this.keyEdit = null;
    this.pad.onSelect(next.size, this.pad.strokes.length);
  }

  selectAll() {
    this.select(this.pad.strokes.keys());
    this.pad.redraw();
  }

  /** Drops the selection; returns whether there was one. */
  deselect() {
    const had = this.selection.size > 0;
    if (had) this.select([]);
    this.pad.redraw();
    return had;
  }

  /** The ink's bounding box [x0, y0, x1, y1] of `indices` (the selection), or null if empty. */
  box(indices = this.selected) {
    if (indices.length === 0) return null;
    const xs = indices.flatMap((i) => this.pad.strokes[i][0]);
    const ys = indices.flatMap((i) => this.pad.strokes[i][1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  /** The box as shown: pushed out to clear the ink. */
  frame(box = this.box()) {
    if (!box) return null;
    const m = this.pad.pixels(this.pad.brush / 2 + 6);
    return [box[0] - m, box[1] - m, box[2] + m, box[3] + m];
  }

  /** The scale handles, in pad units: the frame's corners, clockwise from top left (none for a dot). */
  handles(box = this.box()) {
    if (!box || (box[0] === box[2] && box[1] === box[3])) return [];
    const [x0, y0, x1, y1] = this.frame(box);
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  }

  /** The index of the stroke nearest `point` within `reach` pad units, or null. */
  strokeAt([px, py], reach) {
    let best = null;
    let bestDistance = reach + this.pad.pixels(this.pad.brush / 2);
    this.pad.strokes.forEach(([xs, ys], index) => {
      for (let i = 0; i < xs.length; i++) {
        const j = Math.min(i + 1, xs.length - 1);
        const d = segmentDistance(px, py, xs[i], ys[i], xs[j], ys[j]);
        if (d <= bestDistance) [best, bestDistance] = [index, d];
      }
    });
    return best;
  }

  /**
   * What a press at `point` would do: "scale" (on a handle), "select" (on a stroke not selected),
   * "move" (on a selected stroke or inside the frame) or "marquee" (elsewhere).
   */
  hit([px, py], pointerType) {
    const reach = this.pad.pixels(REACH[pointerType] ?? REACH.mouse);
    const grip = reach + this.pad.pixels(HANDLE / 2);
    const handle = this.handles().findIndex(([x, y]) => Math.hypot(x - px, y - py) <= grip);
    if (handle >= 0) return { kind: "scale", handle };
    const stroke = this.strokeAt([px, py], reach);
    if (stroke !== null && !this.selection.has(stroke)) return { kind: "select", stroke };
    const frame = this.frame();
    const inside = frame && px >= frame[0] && px <= frame[2] && py >= frame[1] && py <= frame[3];
    return { kind: stroke !== null || inside ? "move" : "marquee" };
  }

  /** The mouse cursor over `point`: what a press there would do. */
  cursor(point, pointerType) {
    const { kind, handle } = this.hit(point, pointerType);
    if (kind === "scale") return handle % 2 === 0 ? "nwse-resize" : "nesw-resize";
    return kind === "marquee" ? "default" : "move";
  }

  down(point, event) {
    const target = this.hit(point, event.pointerType);
    const before = () => new Map(this.selected.map((i) => [i, this.pad.strokes[i]]));
    if (target.kind === "select") {
      this.select(event.shiftKey ? [...this.selection, target.stroke] : [target.stroke]);
      target.kind = "move";
    }
    if (target.kind === "marquee") {
      this.drag = { kind: "marquee", start: point, end: point, base: event.shiftKey ? this.selected : [] };
      this.select(this.drag.base);
    } else if (target.kind === "move") {
      this.drag = { kind: "move", start: point, before: before(), box: this.box(), changed: false };
    } else {
      const box = this.box();
      const corners = [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]];
      const corner = corners[target.handle];
      this.drag = {
        kind: "scale", start: point, before: before(), box, corner, anchor: corners[(target.handle + 2) % 4],
        changed: false,
      };
    }
    return false;
  }

  move(point) {
    const drag = this.drag;
    if (!drag) return false;
    if (drag.kind === "marquee") {
      drag.end = point;
      const [x0, x1] = [Math.min(drag.start[0], point[0]), Math.max(drag.start[0], point[0])];
      const [y0, y1] = [Math.min(drag.start[1], point[1]), Math.max(drag.start[1], point[1])];
      const touched = this.pad.strokes.flatMap((stroke, i) => (touches(stroke, x0, y0, x1, y1) ? [i] : []));
      this.select([...drag.base, ...touched]);
      return false;
    }
    const [dx, dy] = [point[0] - drag.start[0], point[1] - drag.start[1]];
    if (drag.kind === "move") {
      const [x0, y0, x1, y1] = drag.box;
      const mx = clamp(dx, -x0, SIZE - x1);
      const my = clamp(dy, -y0, SIZE - y1);
      this.apply(drag.before, (x) => x + mx, (y) => y + my);
      drag.changed = mx !== 0 || my !== 0;
    } else {
      // The grabbed corner follows the pointer along the box's diagonal.
      const [ax, ay] = drag.anchor;
      const [cx, cy] = drag.corner;
      const [vx, vy] = [cx - ax, cy - ay];
      const wanted = ((cx + dx - ax) * vx + (cy + dy - ay) * vy) / (vx * vx + vy * vy);
      const smallest = Math.min(1, MIN_EXTENT / Math.max(Math.abs(vx), Math.abs(vy)));
      const s = clamp(wanted, smallest, scaleLimit(drag.box, drag.anchor));
      this.apply(drag.before, (x) => ax + s * (x - ax), (y) => ay + s * (y - ay));
      drag.changed = s !== 1;
    }
    return true;
  }

  /** Ends the drag; a move or scale becomes one undo step. Returns whether the strokes changed. */
  end() {
    const drag = this.drag;
    if (!drag) return false;
    this.drag = null;
    if (drag.kind === "marquee") return false;
    if (!drag.changed) {
      // Back where it started: the strokes as they were, not copies of them.
      for (const [i, stroke] of drag.before) this.pad.strokes[i] = stroke;
      return false;
    }
    this.pad.history.push({ edited: drag.before });
    return true;
  }

  /** Replaces each stroke of `before` (index → stroke) by its points mapped through fx and fy. */
  apply(before, fx, fy) {
    for (const [i, [xs, ys, ts]] of before) {
      this.pad.strokes[i] = [xs.map((x) => round(fx(x))), ys.map((y) => round(fy(y))), ts];
    }
  }

  /**
   * The keyboard: arrow keys move the selection (Shift: five times as far), + and − scale it about its
   * centre, Space or Enter selects the next stroke, Ctrl/Cmd-A selects all. A run of arrow keys is one
   * undo step. Returns whether the strokes changed.
   */
  key(event, step) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") {
      event.preventDefault();
      this.selectAll();
      return false;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const scales = { "+": 1.1, "=": 1.1, "-": 1 / 1.1 };
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      const count = this.pad.strokes.length;
      if (count > 0) this.select([((this.selected.at(-1) ?? -1) + 1) % count]);
      this.pad.redraw();
      return false;
    }
    if (!moves[event.key] && !scales[event.key]) return false;
    event.preventDefault();
    const box = this.box();
    if (!box) return false;
    if (!this.keyEdit || this.pad.history.at(-1) !== this.keyEdit) {
      this.keyEdit = { edited: new Map(this.selected.map((i) => [i, this.pad.strokes[i]])) };
      this.pad.history.push(this.keyEdit);
    }
    const now = new Map(this.selected.map((i) => [i, this.pad.strokes[i]]));
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      const mx = clamp(dx, -box[0], SIZE - box[2]);
      const my = clamp(dy, -box[1], SIZE - box[3]);
      this.apply(now, (x) => x + mx, (y) => y + my);
    } else {
      const centre = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
      const extent = Math.max(box[2] - box[0], box[3] - box[1]);
      if (extent === 0) return false;
      const s = clamp(scales[event.key], Math.min(1, MIN_EXTENT / extent), scaleLimit(box, centre));
      this.apply(now, (x) => centre[0] + s * (x - centre[0]), (y) => centre[1] + s * (y - centre[1]));
    }
    return true;
  }

  /** Draws the selection's frame and handles, and the rectangle being dragged (the pad inks the strokes). */
  overlay(context, scale, ratio, accent) {
    context.save();
    context.strokeStyle = accent;
    context.lineWidth = ratio;
    context.setLineDash([4 * ratio, 4 * ratio]);
    const drag = this.drag;
    if (drag?.kind === "marquee") {
      const [x, y] = drag.start.map((v) => v * scale);
      context.strokeRect(x, y, drag.end[0] * scale - x, drag.end[1] * scale - y);
    }
    const handles = this.handles();
    if (handles.length > 0) {
      const [[x0, y0], , [x1, y1]] = handles;
      context.strokeRect(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale);
      context.setLineDash([]);
      context.fillStyle = "#fff";
      const side = HANDLE * ratio;
      for (const [x, y] of handles) {
        context.fillRect(x * scale - side / 2, y * scale - side / 2, side, side);
        context.strokeRect(x * scale - side / 2, y * scale - side / 2, side, side);
      }
    }
    context.restore();
  }
}

/** The largest factor by which the box may scale about `anchor` and stay inside the pad. */
function scaleLimit([x0, y0, x1, y1], [ax, ay]) {
  let limit = Infinity;
  for (const [low, high, a] of [[x0, x1, ax], [y0, y1, ay]]) {
    if (high > a) limit = Math.min(limit, (SIZE - a) / (high - a));
    if (low < a) limit = Math.min(limit, a / (a - low));
  }
  return limit;
}

/** The distance from (px, py) to the segment from (ax, ay) to (bx, by). */
function segmentDistance(px, py, ax, ay, bx, by) {
  const [vx, vy] = [bx - ax, by - ay];
  const length = vx * vx + vy * vy;
  const t = length === 0 ? 0 : clamp(((px - ax) * vx + (py - ay) * vy) / length, 0, 1);
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** Whether a stroke has a point inside the rectangle or a segment crossing it (Liang–Barsky clipping). */
function touches([xs, ys], x0, y0, x1, y1) {
  for (let i = 0; i < xs.length; i++) {
    const j = Math.min(i + 1, xs.length - 1);
    const [ax, ay, dx, dy] = [xs[i], ys[i], xs[j] - xs[i], ys[j] - ys[i]];
    let [enter, leave] = [0, 1];
    for (const [p, q] of [[-dx, ax - x0], [dx, x1 - ax], [-dy, ay - y0], [dy, y1 - ay]]) {
      if (p === 0) {
        if (q < 0) [enter, leave] = [1, 0];
      } else if (p < 0) enter = Math.max(enter, q / p);
      else leave = Math.min(leave, q / p);
    }
    if (enter <= leave) return true;
  }
  return false;
}
