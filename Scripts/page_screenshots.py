#!/usr/bin/env python3
"""Screenshots of the Doodle page with a real drawing on the canvas, at a desktop and a phone size.

    Scripts/page_screenshots.py URL DRAWINGS.ndjson OUT_DIR [--line N] [--engine browser|server]
                                [--model NAME] [--words [QUERY]]

Drives headless Chromium over the DevTools pipe (no packages beyond the standard library): opens URL,
waits for the page to load its models (and, in browser mode, their weights), draws line N of the
Quick, Draw! ndjson file with pointer events, waits for the guesses and writes desktop.png and
phone.png into OUT_DIR, for a person to look at. --model chooses the model first; --words then opens
"What can I draw?" (searching for QUERY when given).
"""
import argparse, base64, json, os, sys, time

from chromium_pipe import PAGE_HELPERS, Browser

DRAW = """
(async () => {
  PAGE_HELPERS
  await draw(DRAWING);
  return document.querySelector("#guess-list li")?.dataset.label ?? null;
})()
""".replace("PAGE_HELPERS", PAGE_HELPERS)

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
    parser.add_argument("--model")
    parser.add_argument("--words", nargs="?", const="")
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
            if args.model:
                browser.call("Runtime.evaluate",
                             {"expression": f"localStorage.setItem('doodle.model', {json.dumps(args.model)})"},
                             session)
            browser.call("Page.reload", {}, session)
            time.sleep(0.5)
            browser.call("Runtime.evaluate", {"expression": WAIT.replace("ENGINE", engine),
                                              "awaitPromise": True}, session)
            result = browser.call("Runtime.evaluate", {"expression": DRAW.replace("DRAWING", json.dumps(drawing)),
                                                       "awaitPromise": True, "returnByValue": True}, session)
            if args.words is not None:
                query = json.dumps(args.words)
                browser.call("Runtime.evaluate", {"expression": f"""
                  document.getElementById("words-open").click();
                  const search = document.getElementById("words-search");
                  search.value = {query};
                  search.dispatchEvent(new Event("input"));"""}, session)
                time.sleep(0.3)
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
            path = os.path.join(args.out, f"{name}.png")
            with open(path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(f"{path}: top guess {result.get('result', {}).get('value')}")
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
