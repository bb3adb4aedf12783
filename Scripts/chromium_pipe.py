"""Headless Chromium over the DevTools pipe, with nothing beyond Python's standard library, and the
page-side helpers that draw on Doodle's canvas.

Used by Scripts/page_screenshots.py and Scripts/bench_browser.py.
"""
import json, os, subprocess, tempfile

# JavaScript for the page: `settled()` waits until the last guess is on screen; `draw(drawing)` clears the
# canvas and draws a Quick, Draw! drawing (0...255 coordinates) on it with pen events, then settles.
PAGE_HELPERS = """
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const settled = async () => {
  for (let i = 0; i < 4000; i++) {
    const d = document.body.dataset;
    if (doodle.state.timer === null && d.sent && d.sent === d.shown) return;
    await sleep(i < 50 ? 0 : 2);
  }
  throw new Error("the page did not settle");
};
const draw = async (drawing) => {
  const canvas = document.getElementById("pad");
  doodle.pad.clear();
  await settled();
  const rect = canvas.getBoundingClientRect();
  const scale = rect.width * 0.8 / 256;
  for (const [xs, ys] of drawing) {
    const event = (type, i, buttons) => canvas.dispatchEvent(new PointerEvent(type, {
      pointerId: 7, pointerType: "pen", isPrimary: true, button: 0, buttons, bubbles: true, cancelable: true,
      clientX: rect.left + rect.width * 0.1 + xs[i] * scale, clientY: rect.top + rect.height * 0.1 + ys[i] * scale }));
    event("pointerdown", 0, 1);
    for (let i = 1; i < xs.length; i++) event("pointermove", i, 1);
    event("pointerup", xs.length - 1, 0);
  }
  await settled();
};
"""


class Browser:
    """A headless Chromium; `call` sends one DevTools command and returns its result."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="doodle-shots-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium reads commands from fd 3 and writes replies to fd 4.
        command = ("exec chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-pipe "
                   f"--user-data-dir={self.profile} about:blank 3<&{to_browser_r} 4>&{from_browser_w}")
        self.process = subprocess.Popen(["bash", "-c", command], pass_fds=(to_browser_r, from_browser_w),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.pending = b""

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.pending:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.pending += chunk
            raw, self.pending = self.pending.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def close(self):
        self.process.kill()
