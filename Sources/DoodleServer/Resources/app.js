// The page: model switch, live guesses (throttled, never out of order), what the model saw, keys.
// Guesses come from the browser (sketch.js and network.js on the model's downloaded weights) once a
// model's weights are in, or from the server (POST /api/predict): the same answers either way.
import { DrawingPad } from "./canvas.js";
import { Game, article } from "./game.js";
import { WordList } from "./words.js";
import { Contributions } from "./contribute.js";
import { Teacher } from "./teach.js";
import { modelInput } from "./sketch.js";
import { Network, compileKernels } from "./network.js";

const $ = (id) => document.getElementById(id);
const THROTTLE_MS = 150;

const state = {
  models: [],
  model: null,
  threshold: 0.3,
  sent: 0,        // sequence number of the latest request sent
  shown: 0,       // sequence number of the answer on screen; older answers are dropped
  timer: null,
  lastSent: 0,
  latest: null,   // the latest answer shown: { predictions, bitmap, took_ms, engine }
  engine: localStorage.getItem("doodle.engine") === "server" ? "server" : "browser",
  networks: new Map(), // model name → Network, once its weights are loaded
  browserGuesses: new Map(), // model name → guesses made here and not yet reported (POST /api/guesses)
  unloadable: new Set(), // models whose weights failed to load: guessed on the server
};
const kernels = compileKernels(fetch("/kernels.wasm"));
let contributions = null; // made once the pad is (the pad reports changes from its first layout on)

const pad = new DrawingPad($("pad"), {
  onChange: () => schedule(false),
  onStrokeEnd: () => schedule(true),
  onSelect: (count, total) => {
    $("tool-status").textContent = count === 0 ? "Nothing selected" : `${count} of ${total} strokes selected`;
  },
});
const game = new Game({
  pad, state, elements: $, onRoundStart: () => pad.clear(), onRoundEnd: (round) => contributions.saveRound(round),
});
const words = new WordList({ state, elements: $ });
contributions = new Contributions({ pad, state, elements: $ });
const teacher = new Teacher({ pad, state, elements: $, onTaught: loadTaughtWords });

/** A model's name on the page: "Doodles", "Digits", and "All 345 words" for a full vocabulary. */
export function displayName(model) {
  if (model.name.startsWith("doodles-")) return `All ${model.classes.length} words`;
  return model.name[0].toUpperCase() + model.name.slice(1);
}

/** Whether the game may use a model: it has a list of game words. */
const playable = (model) => (model?.game_words?.length ?? 0) > 0;

/** In game mode, models that are not for the game cannot be chosen, and the default takes over. */
function updateModelSwitch(mode) {
  const inGame = mode === "game";
  for (const input of document.querySelectorAll('input[name="model"]')) {
    const model = state.models.find((m) => m.name === input.value);
    input.disabled = inGame && !playable(model);
    input.closest("label").title = modelTitle(model) + (input.disabled ? " (not for the game)" : "");
  }
  const current = state.models.find((m) => m.name === state.model);
  if (inGame && !playable(current)) {
    const fallback = state.models.find((m) => m.name === state.defaultModel && playable(m))
      ?? state.models.find(playable);
    if (fallback) chooseModel(fallback.name);
  }
}

function modelTitle(model) {
  if (!model) return "";
  return `${model.classes.length} classes, ${model.architecture}` +
    (model.accuracy != null ? `, ${(model.accuracy * 100).toFixed(1)}% top-1` : "");
}

function chooseModel(name) {
  state.model = name;
  for (const input of document.querySelectorAll('input[name="model"]')) input.checked = input.value === name;
  localStorage.setItem("doodle.model", state.model);
  updateEngine();
  words.update();
  contributions?.update();
  schedule(true);
}

/** What the canvas tells a screen reader, for each tool. */
const PAD_LABELS = {
  draw: "Drawing canvas: draw with a mouse, finger or pen, or with the keyboard: arrow keys move the pen, Space starts and ends a line",
  line: "Drawing canvas, straight lines: press, drag and release, or with the keyboard: arrow keys move the pen, Space starts and ends a line",
  move: "Drawing canvas, move and scale: tap a stroke or drag a box to select; drag the selection to move it, a corner to scale it; " +
    "keyboard: Space selects the next stroke, Ctrl-A all, arrow keys move the selection, plus and minus scale it",
};

/** Chooses the pad's tool: freehand, a straight line, or move and scale. */
function chooseTool(tool) {
  pad.setTool(tool);
  for (const input of document.querySelectorAll('input[name="tool"]')) input.checked = input.value === tool;
  $("select-all").hidden = tool !== "move";
  $("pad").setAttribute("aria-label", PAD_LABELS[tool]);
}

/** Asks for guesses now (a stroke ended) or at most every THROTTLE_MS while a stroke grows. */
function schedule(now) {
  $("pad-hint").hidden = !pad.isEmpty;
  contributions?.update();
  clearTimeout(state.timer);
  const wait = now ? 0 : Math.max(0, THROTTLE_MS - (performance.now() - state.lastSent));
  state.timer = setTimeout(predict, wait);
}

async function predict() {
  state.timer = null;
  state.lastSent = performance.now();
  const seq = ++state.sent;
  document.body.dataset.sent = String(seq);
  if (pad.isEmpty) {
    show(seq, null);
    return;
  }
  try {
    const network = state.engine === "browser" ? state.networks.get(state.model) : undefined;
    const answer = network ? guessHere(network) : await guessOnServer();
    answer.wait_ms = performance.now() - state.lastSent; // what the person waited, request and all
    show(seq, answer);
  } catch (error) {
    if (seq < state.shown) return;
    $("error").textContent = `Could not guess: ${error.message}`;
    $("error").hidden = false;
    document.body.dataset.shown = String(seq);
  }
}

/** The page's guesses, made here: the server's answer, without asking it. */
function guessHere(network) {
  const started = performance.now();
  const bitmap = modelInput(pad.apiStrokes, network.framing);
  const predictions = network.best(network.probabilities(bitmap), 5);
  const took = performance.now() - started;
  state.browserGuesses.set(state.model, (state.browserGuesses.get(state.model) ?? 0) + 1);
  return { model: state.model, predictions, bitmap: Array.from(bitmap), took_ms: took, engine: "browser" };
}

async function guessOnServer() {
  const response = await fetch("/api/predict", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: state.model, strokes: pad.apiStrokes, top: 5 }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
  return { ...answer, engine: "server" };
}

/**
 * Downloads a model's weights (the browser keeps them, revalidated by ETag) and builds its network;
 * the page then guesses without the server. A model that cannot be loaded is guessed on the server.
 */
async function loadNetwork(name) {
  if (state.networks.has(name)) return;
  try {
    const response = await fetch(`/api/models/${encodeURIComponent(name)}/weights`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const network = await Network.fromModelFile(await response.arrayBuffer(), await kernels);
    // A few guesses at a blank page first, so that the engine has compiled the kernels' fast tier by
    // the time a person draws (the first call otherwise takes about ten times as long).
    const blank = new Uint8Array(network.input.view.length);
    for (let i = 0; i < 8; i++) network.probabilities(blank);
    state.networks.set(name, network);
    await loadTaughtWords(name);
    document.body.dataset.networks = [...state.networks.keys()].sort().join(" ");
    updateEngine();
    if (name === state.model && state.engine === "browser" && !pad.isEmpty) schedule(true);
  } catch (error) {
    console.warn(`guessing ${name} on the server: its weights did not load (${error.message})`);
    state.unloadable.add(name);
    updateEngine();
  }
}

/**
 * Gives a model's network in this page the words players taught it (GET /api/words), so that guesses
 * made here include them as the server's do. A network that cannot take them keeps guessing without.
 */
async function loadTaughtWords(name) {
  const network = state.networks.get(name);
  if (!network) return;
  try {
    const response = await fetch(`/api/words?model=${encodeURIComponent(name)}`);
    const reply = await response.json();
    if (!response.ok) throw new Error(reply?.error?.message ?? `HTTP ${response.status}`);
    network.teach(reply.words);
    document.body.dataset.taughtHere = network.taught.map((t) => t.word).join("|");
  } catch (error) {
    console.warn(`the words taught to ${name} are not guessed in this page: ${error.message}`);
  }
}

/** Shows which engine guesses, and whether the chosen one can. */
function updateEngine() {
  const here = state.engine === "browser" && state.networks.has(state.model);
  const network = state.networks.get(state.model);
  $("engine-note").textContent = state.engine === "server" ? "each guess is a request"
    : here ? `no server needed (${network.kernel === "wasm" ? "WebAssembly" : "JavaScript"})`
    : state.unloadable.has(state.model) ? "the model did not load here: guessing on the server"
    : "loading the model…";
  document.body.dataset.engine = here ? "browser" : "server";
}

/** Shows an answer unless a newer one is already on screen. */
function show(seq, answer) {
  if (seq < state.shown) return;
  state.shown = seq;
  $("error").hidden = true;
  state.latest = answer;
  renderGuesses(answer);
  renderSeen(answer?.bitmap);
  $("took").textContent = !answer ? ""
    : answer.engine === "browser" ? `(${answer.took_ms.toFixed(1)} ms, here)`
    : `(${answer.took_ms.toFixed(1)} ms on the server, ${answer.wait_ms.toFixed(0)} ms round trip)`;
  document.body.dataset.shown = String(seq);
  game.onGuesses(answer);
}

function renderGuesses(answer) {
  const list = $("guess-list");
  const predictions = answer?.predictions ?? [];
  const top = predictions[0];
  const sure = top && top.confidence >= state.threshold;
  list.classList.toggle("unsure", !sure);
  $("headline").textContent = !top
    ? "Draw something and I'll guess"
    : sure ? `I see ${article(top.label)}` : "Hmm, I'm not sure yet…";
  // Reuse rows so bars animate instead of flickering.
  while (list.children.length > predictions.length) list.lastChild.remove();
  predictions.forEach((p, i) => {
    let row = list.children[i];
    if (!row) {
      row = document.createElement("li");
      row.innerHTML = '<span class="label"></span><span class="bar"><span></span></span><span class="pct"></span>';
      list.append(row);
    }
    row.dataset.label = p.label;
    row.dataset.confidence = String(p.confidence);
    row.querySelector(".label").textContent = p.label;
    row.querySelector(".bar > span").style.width = `${(p.confidence * 100).toFixed(1)}%`;
    row.querySelector(".pct").textContent = `${Math.round(p.confidence * 100)}%`;
  });
}

/** Draws the model's 28×28 input, light ink on black as the model sees it. */
function renderSeen(bitmap) {
  const canvas = $("seen");
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const v = bitmap ? bitmap[i] : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

async function loadModels() {
  try {
    const response = await fetch("/api/models");
    const list = await response.json();
    state.models = list.models;
    state.defaultModel = list.default;
    const saved = localStorage.getItem("doodle.model");
    state.model = list.models.some((m) => m.name === saved) ? saved : list.default;
    const fieldset = $("model-switch");
    for (const model of list.models) {
      const label = document.createElement("label");
      label.innerHTML = '<input type="radio" name="model"><span></span>';
      const input = label.querySelector("input");
      input.value = model.name;
      input.checked = model.name === state.model;
      label.querySelector("span").textContent = displayName(model);
      label.title = modelTitle(model);
      fieldset.append(label);
    }
    words.update();
    document.body.dataset.ready = "true";
    updateEngine();
    await loadNetwork(state.model);
    for (const model of list.models) await loadNetwork(model.name);
  } catch (error) {
    $("error").textContent = `Could not load the models: ${error.message}`;
    $("error").hidden = false;
  }
}

$("model-switch").addEventListener("change", (e) => {
  game.stop();
  chooseModel(e.target.value);
});
for (const input of document.querySelectorAll('input[name="engine"]')) {
  input.checked = input.value === state.engine;
  input.addEventListener("change", () => {
    state.engine = input.value;
    localStorage.setItem("doodle.engine", state.engine);
    updateEngine();
    schedule(true);
  });
}
document.querySelectorAll('input[name="mode"]').forEach((input) =>
  input.addEventListener("change", () => {
    updateModelSwitch(input.value);
    game.setMode(input.value);
    teacher.setMode(input.value);
    contributions.update();
  }));
$("words-open").addEventListener("click", () => words.open());
$("threshold").addEventListener("input", (e) => {
  state.threshold = Number(e.target.value) / 100;
  $("threshold-value").textContent = `${e.target.value}%`;
  renderGuesses(state.latest);
});
for (const input of document.querySelectorAll('input[name="tool"]')) {
  input.addEventListener("change", () => chooseTool(input.value));
}
$("select-all").addEventListener("click", () => pad.tools.move.selectAll());
$("brush").addEventListener("input", (e) => pad.setBrush(Number(e.target.value)));
$("undo").addEventListener("click", () => pad.undo());
$("clear").addEventListener("click", () => pad.clear());
$("download").addEventListener("click", async () => {
  const blob = await pad.toPNG();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "doodle.png";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});
document.addEventListener("keydown", (e) => {
  if ($("summary").open || $("words").open) return;
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z") {
    e.preventDefault();
    pad.undo();
  } else if (e.key === "Escape" && !pad.tools.move.deselect()) {
    pad.clear();  // Escape drops a selection first, then clears
  }
});

/**
 * Tells the server how many guesses this page made in the browser, which it otherwise never sees
 * (its metrics count guesses by model and where they ran): every 30 seconds, and as the page goes away.
 */
function reportGuesses(leaving = false) {
  for (const [model, count] of state.browserGuesses) {
    for (let left = count; left > 0; left -= 1000) {
      const body = JSON.stringify({ model, count: Math.min(left, 1000) });
      if (leaving && navigator.sendBeacon) {
        navigator.sendBeacon("/api/guesses", new Blob([body], { type: "application/json" }));
      } else {
        fetch("/api/guesses", { method: "POST", headers: { "Content-Type": "application/json" }, body })
          .catch(() => {});
      }
    }
  }
  state.browserGuesses.clear();
}
setInterval(reportGuesses, 30000);
addEventListener("pagehide", () => reportGuesses(true));

window.doodle = { pad, state, game, words, contributions, teacher, predict, chooseTool, reportGuesses };
loadModels();
