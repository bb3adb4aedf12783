// The drawing pad: pointer input (mouse, touch, pen) and the keyboard, strokes, undo, clear, and PNG
// export. Points are kept in a fixed 0–1000 square, so a resize or a rotation redraws the same drawing.
// Three tools: freehand drawing (here), and a straight line and transform (tools.js).
import { LineTool, TransformTool } from "./tools.js";

const SIZE = 1000;
const KEY_STEP = 10;        // pad units an arrow key moves the keyboard pen; Shift moves five times as far

export class DrawingPad {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas, { onChange, onStrokeEnd, onSelect } = {}) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.strokes = [];      // [[xs], [ys], [ts]] per stroke, in pad units
    this.current = null;
    this.pointerId = null;
    this.brush = 8;         // in CSS pixels at the canvas's current size
    this.start = 0;
    this.onChange = onChange ?? (() => {});
    this.onStrokeEnd = onStrokeEnd ?? (() => {});
    this.onSelect = onSelect ?? (() => {});
    this.history = [];      // undo steps: { added: true } for a new stroke, { edited: index → stroke before }
    this.tool = "draw";     // "draw", "line" or "move"
    this.tools = { line: new LineTool(this), move: new TransformTool(this) };
    this.enabled = true;
    this.cursor = [SIZE / 2, SIZE / 2];  // the keyboard pen's position
    this.keyDrawing = false;             // whether the keyboard pen is down
    this.showCursor = false;             // shown once a key is used, until the canvas loses focus
    this.frame = null;                   // a pending redraw (requestAnimationFrame id)
    canvas.addEventListener("keydown", (e) => this.key(e));
    canvas.addEventListener("blur", () => {
      this.liftKeyboardPen();
      this.tools.move.keyEdit = null;  // arrow keys after a visit elsewhere are a new undo step
      this.showCursor = false;
      this.redraw();
    });
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  /** The strokes as the API takes them: [[x...], [y...], [t...]]. */
  get apiStrokes() {
    return this.strokes.map(([x, y, t]) => [x, y, t]);
  }

  get isEmpty() {
    return this.strokes.length === 0;
  }

  /** Matches the backing store to the displayed size times the device pixel ratio (sharp on high-DPI). */
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * ratio));
    const height = Math.max(1, Math.round(rect.height * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.redraw();
  }

  /** `n` CSS pixels in pad units. */
  pixels(n) {
    return (n * SIZE) / Math.max(1, this.canvas.getBoundingClientRect().width);
  }

  /** Milliseconds since the drawing's first stroke began: a point's timestamp. */
  elapsed() {
    return Math.round(performance.now() - this.start);
  }

  /** Starts a stroke at `point`, one undo step. */
  beginStroke([x, y]) {
    if (this.strokes.length === 0) this.start = performance.now();
    this.current = [[x], [y], [this.elapsed()]];
    this.strokes.push(this.current);
    this.history.push({ added: true });
  }

  /** Chooses the tool pointers and keys use: "draw", "line" or "move" (select, move and scale). */
  setTool(tool) {
    if (tool === this.tool) return;
    this.liftKeyboardPen();
    this.endGesture();
    if (this.tool === "move") this.tools.move.select([]);
    this.tool = tool;
    this.canvas.dataset.tool = tool;
    this.canvas.style.cursor = "";
    this.redraw();
  }

  /** A pointer's position in pad units, the same scale on both axes so that nothing is stretched. */
  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    const scale = SIZE / Math.max(1, rect.width, rect.height);
    const x = (event.clientX - rect.left) * scale;
    const y = (event.clientY - rect.top) * scale;
    return [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
  }

  /** Redraws at the next frame at most once, however many pointer events arrive before it. */
  redrawSoon() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.redraw();
    });
  }

  down(event) {
    if (!this.enabled || this.pointerId !== null) return;
    this.liftKeyboardPen();
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    this.pointerId = event.pointerId;
    try {
      this.canvas.setPointerCapture(event.pointerId);
    } catch {
      // Synthetic events have no active pointer to capture; drawing works without capture.
    }
    const point = this.point(event);
    const changed = this.tool === "draw" ? (this.beginStroke(point), true) : this.tools[this.tool].down(point, event);
    this.redraw();
    if (changed) this.onChange();
  }

  move(event) {
    if (this.tool !== "draw") return this.moveTool(event);
    if (event.pointerId !== this.pointerId || !this.current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length > 0 ? events : [event]) {
      const [x, y] = this.point(e);
      const [xs, ys, ts] = this.current;
      if (xs[xs.length - 1] === x && ys[ys.length - 1] === y) continue;
      xs.push(x);
      ys.push(y);
      ts.push(this.elapsed());
    }
    this.redrawSoon();
    this.onChange();
  }

  /** A pointer moving with the line or transform tool: it drags, or, with no button down, it hovers. */
  moveTool(event) {
    const tool = this.tools[this.tool];
    if (this.pointerId === null && this.enabled && tool.cursor) {
      this.canvas.style.cursor = tool.cursor(this.point(event), event.pointerType);
    }
    if (event.pointerId !== this.pointerId) return;
    event.preventDefault();
    if (tool.move(this.point(event), event)) this.onChange();
    this.redrawSoon();
  }

  up(event) {
    if (event.pointerId !== this.pointerId) return;
    if (this.tool !== "draw") this.tools[this.tool].move(this.point(event), event);
    this.endGesture();
  }

  /** Ends the pointer's stroke, line or drag where it is. */
  endGesture() {
    if (this.pointerId === null) return;
    this.pointerId = null;
    if (this.tool === "draw") {
      this.current = null;
      this.onStrokeEnd();
      return;
    }
    const changed = this.tools[this.tool].end();
    this.redraw();
    if (changed) this.onStrokeEnd();
  }

  /**
   * The keyboard pen: arrow keys move it (Shift: five times as far), Space or Enter puts it down to
   * start a line and lifts it to end the line; while it is down, every move draws (with the line tool,
   * a straight line from where it went down). With the transform tool, keys edit the selection instead.
   */
  key(event) {
    if (!this.enabled || this.pointerId !== null) return;
    const step = event.shiftKey ? 5 * KEY_STEP : KEY_STEP;
    if (this.tool === "move") {
      if (this.tools.move.key(event, step)) this.onStrokeEnd();
      this.redraw();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      event.preventDefault();
      const clamp = (v) => Math.min(SIZE, Math.max(0, v));
      this.cursor = [clamp(this.cursor[0] + moves[event.key][0]), clamp(this.cursor[1] + moves[event.key][1])];
      this.showCursor = true;
      if (this.keyDrawing && this.tool === "line") {
        this.tools.line.move(this.cursor);
        this.onChange();
      } else if (this.keyDrawing) {
        const [xs, ys, ts] = this.current;
        xs.push(this.cursor[0]);
        ys.push(this.cursor[1]);
        ts.push(this.elapsed());
        this.onChange();
      }
      this.redraw();
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      this.showCursor = true;
      if (this.keyDrawing) {
        this.liftKeyboardPen();
      } else {
        this.keyDrawing = true;
        this.beginStroke(this.cursor);
        this.onChange();
      }
      this.redraw();
    }
  }

  /** Ends the keyboard pen's line, if it is drawing one. */
  liftKeyboardPen() {
    if (!this.keyDrawing) return;
    this.keyDrawing = false;
    this.current = null;
    this.onStrokeEnd();
  }

  /** Takes back the last step, whichever tool made it: a stroke or line goes, a move or scale is undone. */
  undo() {
    if (this.current || this.pointerId !== null) return;
    const step = this.history.pop();
    if (step?.edited) {
      for (const [i, stroke] of step.edited) this.strokes[i] = stroke;
    } else {
      this.strokes.pop();
    }
    const move = this.tools.move;
    if (move.selection.size > 0) move.select(move.selected);
    this.redraw();
    this.onStrokeEnd();
  }

  /** Empties the pad and its undo history (a cleared drawing does not come back). */
  clear() {
    this.strokes = [];
    this.history = [];
    this.current = null;
    this.keyDrawing = false;
    this.pointerId = null;
    this.tools.move.drag = null;
    this.tools.move.select([]);
    this.redraw();
    this.onStrokeEnd();
  }

  setBrush(size) {
    this.brush = size;
    this.redraw();
  }

  /** Draws every stroke, dark ink on a transparent canvas (the page shows the paper). */
  redraw(context = this.context, width = this.canvas.width, ink = null) {
    const scale = width / SIZE;
    const ratio = this.canvas.width / Math.max(1, this.canvas.getBoundingClientRect().width);
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, width, width);
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = context.fillStyle =
      ink ?? getComputedStyle(this.canvas).getPropertyValue("--ink").trim() ?? "#111";
    context.lineWidth = this.brush * ratio * (width / this.canvas.width);
    const color = context.strokeStyle;
    const accent = getComputedStyle(this.canvas).getPropertyValue("--accent").trim() || "#2563eb";
    const chosen = context === this.context && this.tool === "move" ? this.tools.move.selection : new Set();
    for (const [index, [xs, ys]] of this.strokes.entries()) {
      context.strokeStyle = context.fillStyle = chosen.has(index) ? accent : color;
      context.beginPath();
      if (xs.length === 1) {
        context.arc(xs[0] * scale, ys[0] * scale, context.lineWidth / 2, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      context.moveTo(xs[0] * scale, ys[0] * scale);
      for (let i = 1; i < xs.length; i++) context.lineTo(xs[i] * scale, ys[i] * scale);
      context.stroke();
    }
    if (this.showCursor && context === this.context) {
      // The keyboard pen: a ring, filled while it draws.
      context.beginPath();
      context.arc(this.cursor[0] * scale, this.cursor[1] * scale, context.lineWidth, 0, 2 * Math.PI);
      context.strokeStyle = context.fillStyle = accent;
      context.lineWidth = Math.max(1, context.lineWidth / 3);
      if (this.keyDrawing) context.fill();
      context.stroke();
    }
    if (context === this.context && this.tool === "move") this.tools.move.overlay(context, scale, ratio, accent);
    context.restore();
  }

  /** The drawing as a PNG blob: black ink on white, at the canvas's device resolution. */
  toPNG(side = this.canvas.width) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const context = canvas.getContext("2d");
    this.redraw(context, side, "#000");
    context.globalCompositeOperation = "destination-over";
    context.fillStyle = "#fff";
    context.fillRect(0, 0, side, side);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  /** The drawing as a small data URL, for the game's summary. */
  thumbnail(side = 160) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    this.redraw(canvas.getContext("2d"), side, "#111");
    return canvas.toDataURL("image/png");
  }
}
