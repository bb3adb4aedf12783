#!/usr/bin/env python3
"""How long the page takes to guess, in headless Chromium: in the browser and on the server.

    Scripts/bench_browser.py URL [--data DIR] [--drawings N] [--model NAME]

Opens the page served at URL (start `doodle serve` first), waits for the weights, then draws N real
Quick, Draw! drawings (the first of each simplified stroke file, round after round) with pointer events,
each once guessed in the browser and once on the server. Prints, per engine, the median and p90 of
- guess: one guess's own work (browser: normalise, rasterise and forward in the page; server: the
  server's `took_ms`), and
- wait: from the page asking to the answer on screen (for the server, the whole request),
and the size of the weights download.
"""
import argparse, glob, json, os, statistics, sys

from chromium_pipe import PAGE_HELPERS, Browser

SCRIPT = """
(async () => {
  const drawings = DRAWINGS;
  PAGE_HELPERS
  const choose = (name, value) => {
    const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
    if (!input.checked) input.click();
  };
  choose("model", MODEL);
  const times = { browser: [], server: [] };
  for (const drawing of drawings) {
    for (const engine of ["browser", "server"]) {
      choose("engine", engine);
      await draw(drawing);
      const answer = doodle.state.latest;
      if (answer.engine !== engine) throw new Error(`asked for ${engine}, guessed on ${answer.engine}`);
      times[engine].push([answer.took_ms, answer.wait_ms]);
    }
  }
  const weights = performance.getEntriesByType("resource").filter((e) => e.name.includes("/weights"))
    .map((e) => [e.name, e.encodedBodySize]);
  return JSON.stringify({ times, weights });
})()
""".replace("PAGE_HELPERS", PAGE_HELPERS)

WAIT = """
new Promise((resolve, reject) => {
  const started = Date.now();
  const check = () => document.body.dataset.networks?.split(" ").includes(MODEL) ? resolve(true)
    : Date.now() - started > 30000 ? reject(new Error("no weights")) : setTimeout(check, 50);
  check();
})
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../shared/data"))
    parser.add_argument("--drawings", type=int, default=300)
    parser.add_argument("--model", default="doodles")
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "quickdraw/strokes/simplified_ndjson/*.ndjson")))
    if not files:
        sys.exit(f"bench_browser: no stroke files under {args.data}")
    lines = [open(f).read().splitlines() for f in files]
    drawings = []
    for round_ in range(max(len(l) for l in lines)):
        drawings += [json.loads(l[round_])["drawing"] for l in lines if round_ < len(l)]
    drawings = drawings[: args.drawings]

    browser = Browser()
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.navigate", {"url": args.url}, session)
        model = json.dumps(args.model)
        browser.call("Runtime.evaluate", {"expression": WAIT.replace("MODEL", model), "awaitPromise": True}, session)
        script = SCRIPT.replace("DRAWINGS", json.dumps(drawings)).replace("MODEL", model)
        reply = browser.call("Runtime.evaluate", {"expression": script, "awaitPromise": True,
                                                  "returnByValue": True}, session)
        if "exceptionDetails" in reply:
            sys.exit(f"bench_browser: the page failed: {reply['exceptionDetails']}")
        result = json.loads(reply["result"]["value"])
    finally:
        browser.close()

    def quantile(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"== {len(drawings)} drawings, model {args.model}, {os.cpu_count()} cores, "
          f"load {open('/proc/loadavg').read().split()[0]}")
    for engine, pairs in result["times"].items():
        guess = [p[0] for p in pairs]
        wait = [p[1] for p in pairs]
        print(f"{engine:8} guess median {statistics.median(guess):6.2f} ms  p90 {quantile(guess, 0.9):6.2f} ms   "
              f"wait median {statistics.median(wait):6.2f} ms  p90 {quantile(wait, 0.9):6.2f} ms")
    for name, size in result["weights"]:
        if f"/models/{args.model}/" in name:
            print(f"weights: {size / 1e6:.2f} MB ({name.split('/api/')[-1]})")
            break


if __name__ == "__main__":
    sys.exit(main())
