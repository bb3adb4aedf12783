"""Headless Chromium over the DevTools pipe, with nothing beyond Python's standard library.

Used by Scripts/page_screenshots.py and Scripts/bench_browser.py.
"""
import json, os, subprocess, tempfile


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
