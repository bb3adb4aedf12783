#!/usr/bin/env python3
"""Screenshots of the Doodle page with a real drawing on the canvas, at a desktop and a phone size.

    Scripts/page_screenshots.py URL DRAWINGS.ndjson OUT_DIR [--line N] [--engine browser|server]

Drives headless Chromium over the DevTools pipe (no packages beyond the standard library): opens URL,
waits for the page to load its models (and, in browser mode, their weights), draws line N of the
Quick, Draw! ndjson file with pointer events, waits for the guesses and writes desktop.png and
phone.png into OUT_DIR, for a person to look at.
"""
import argparse, base64, json, os, sys, time

from chromium_pipe import Browser

DRAW = """
(async () => {
  const drawing = DRAWING;
  const canvas = document.getElementById("pad");
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
  for (let i = 0; i < 200; i++) {
    const d = document.body.dataset;
    if (doodle.state.timer === null && d.sent && d.sent === d.shown) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return document.querySelector("#guess-list li")?.dataset.label ?? null;
})()
"""

WAIT = """
new Promise((resolve) => {
  const check = () => document.body.dataset.ready && (ENGINE !== "browser" || document.body.dataset.networks)
    ? resolve(true) : setTimeout(check, 50);
  check();
})
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("drawings")
    parser.add_argument("out")
    parser.add_argument("--line", type=int, default=0)
    parser.add_argument("--engine", default="browser", choices=["browser", "server"])
    args = parser.parse_args()
    with open(args.drawings) as f:
        drawing = json.loads(f.readlines()[args.line])["drawing"]
    os.makedirs(args.out, exist_ok=True)
    browser = Browser()
    try:
        for name, width, height, mobile in [("desktop", 1280, 860, False), ("phone", 390, 844, True)]:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1,
                          "mobile": mobile}, session)
            browser.call("Page.navigate", {"url": args.url}, session)
            time.sleep(0.5)
            engine = json.dumps(args.engine)
            browser.call("Runtime.evaluate",
                         {"expression": f"localStorage.setItem('doodle.engine', {engine})"}, session)
            browser.call("Page.reload", {}, session)
            time.sleep(0.5)
            browser.call("Runtime.evaluate", {"expression": WAIT.replace("ENGINE", engine),
                                              "awaitPromise": True}, session)
            result = browser.call("Runtime.evaluate", {"expression": DRAW.replace("DRAWING", json.dumps(drawing)),
                                                       "awaitPromise": True, "returnByValue": True}, session)
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
            path = os.path.join(args.out, f"{name}.png")
            with open(path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(f"{path}: top guess {result.get('result', {}).get('value')}")
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
