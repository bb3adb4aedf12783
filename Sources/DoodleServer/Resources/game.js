// Game mode, as Quick, Draw! plays: six words, 20 seconds each, the model guesses live. The words
// are the model's game words (those it recognises at least 80% of the time), dealt from a shuffled
// deck kept across games, so that rounds go through the whole list before a word comes back.

const ROUNDS = 6;
const SECONDS = 20;

export class Game {
  constructor({ pad, state, elements, onRoundStart, onRoundEnd = () => {} }) {
    this.pad = pad;
    this.state = state;
    this.$ = elements;
    this.onRoundStart = onRoundStart;
    this.onRoundEnd = onRoundEnd;
    this.playing = false;
    this.seconds = SECONDS;  // a round's length
    this.results = [];
    this.$("game-start").addEventListener("click", () => this.start());
    this.$("summary").addEventListener("close", () => {
      if (this.$("summary").returnValue === "again") this.start();
    });
  }

  setMode(mode) {
    this.stop();
    this.$("game-start").hidden = mode !== "game";
    document.body.dataset.mode = mode;
    if (mode === "game") this.$("game-start").focus();
  }

  start() {
    this.stop();
    const model = this.state.models.find((m) => m.name === this.state.model);
    const list = model?.game_words ?? [];
    if (list.length === 0) return;
    this.words = deal(model.name, list, Math.min(ROUNDS, list.length));
    this.results = [];
    this.round = -1;
    this.playing = true;
    this.$("game-bar").hidden = false;
    this.$("game-start").hidden = true;
    this.next();
  }

  next() {
    this.round += 1;
    if (this.round >= this.words.length) return this.finish();
    this.word = this.words[this.round];
    this.onRoundStart();
    this.$("game-word").textContent = this.word;
    this.$("game-round").textContent = `Round ${this.round + 1} of ${this.words.length}`;
    this.$("game-time").textContent = String(this.seconds);
    this.$("game-progress").style.width = "100%";
    this.banner(`Draw ${article(this.word)}`);
    this.pad.enabled = false;
    this.pending = setTimeout(() => {
      this.banner(null);
      this.pad.enabled = true;
      this.pad.canvas.focus();
      this.deadline = performance.now() + this.seconds * 1000;
      this.inRound = true;
      this.ticker = setInterval(() => this.tick(), 100);
    }, 1400);
  }

  tick() {
    const left = Math.max(0, this.deadline - performance.now());
    this.$("game-time").textContent = String(Math.ceil(left / 1000));
    this.$("game-progress").style.width = `${(left / (this.seconds * 1000)) * 100}%`;
    if (left === 0) this.end(false);
  }

  /** Called with every answer shown: the round is won when the top guess is the word. */
  onGuesses(answer) {
    if (!this.playing || !this.inRound || !answer) return;
    this.lastAnswer = answer;
    if (answer.predictions[0]?.label === this.word) this.end(true);
  }

  end(won) {
    this.inRound = false;
    clearInterval(this.ticker);
    this.pad.enabled = false;
    const answer = this.lastAnswer;
    this.results.push({
      word: this.word,
      won,
      drawing: this.pad.thumbnail(),
      seen: answer ? bitmapURL(answer.bitmap) : null,
      guesses: answer ? answer.predictions.slice(0, 3).map((p) => p.label) : [],
    });
    this.onRoundEnd({ word: this.word, won, strokes: this.pad.apiStrokes, answer });
    this.lastAnswer = null;
    this.banner(won ? `Oh, I know, it's ${article(this.word)}!` : `Sorry, I couldn't guess ${article(this.word)}.`,
      won ? "won" : "lost");
    this.pending = setTimeout(() => this.next(), 1800);
  }

  finish() {
    this.stop();
    this.$("game-start").hidden = false;
    const won = this.results.filter((r) => r.won).length;
    this.$("summary-score").textContent = `The network guessed ${won} of your ${this.results.length} drawings.`;
    const list = this.$("summary-list");
    list.replaceChildren(...this.results.map((r) => {
      const item = document.createElement("li");
      item.className = r.won ? "won" : "lost";
      item.innerHTML = '<img class="drawing" alt=""><img class="seen" alt=""><div><strong></strong><p></p></div>';
      const [drawing, seen] = item.querySelectorAll("img");
      drawing.src = r.drawing;
      drawing.alt = `Your drawing of ${article(r.word)}`;
      if (r.seen) {
        seen.src = r.seen;
        seen.alt = "What the model saw";
      } else seen.remove();
      item.querySelector("strong").textContent = `${r.won ? "✓" : "✗"} ${r.word}`;
      item.querySelector("p").textContent =
        r.guesses.length ? `Guessed: ${r.guesses.join(", ")}` : "No guess: nothing was drawn";
      return item;
    }));
    this.$("summary").showModal();
  }

  stop() {
    clearTimeout(this.pending);
    clearInterval(this.ticker);
    this.playing = false;
    this.inRound = false;
    this.pad.enabled = true;
    this.$("game-bar").hidden = true;
    this.banner(null);
  }

  banner(text, kind = "") {
    const banner = this.$("game-banner");
    banner.hidden = text === null;
    banner.textContent = text ?? "";
    banner.className = `banner ${kind}`;
  }
}

/**
 * The word with its indefinite article, as the page says it: "an apple", "a unicorn", "an hourglass",
 * "a 7", "an 8", and no article for a name that has its own ("The Eiffel Tower").
 */
export function article(word) {
  if (/^the /i.test(word)) return word;
  if (/^(uni|use|eu|one)/i.test(word)) return `a ${word}`;
  return /^([aeiou8]|hour)/i.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * The next `count` words of the model's deck: shuffles of the whole `list`, one after another, kept in
 * localStorage, so that every word comes up once before any comes up again. When a shuffle runs out
 * mid-game, the next one puts this game's words last, so no game repeats a word.
 */
export function deal(modelName, list, count, storage = globalThis.localStorage) {
  const key = `doodle.deck.${modelName}`;
  const known = new Set(list);
  let deck = [];
  try {
    deck = JSON.parse(storage?.getItem(key) ?? "[]").filter((w) => known.has(w));
  } catch {
    deck = [];
  }
  const words = deck.splice(0, count);
  if (words.length < count) {
    const fresh = shuffle([...list]);
    deck = fresh.filter((w) => !words.includes(w)).concat(fresh.filter((w) => words.includes(w)));
    words.push(...deck.splice(0, count - words.length));
  }
  storage?.setItem(key, JSON.stringify(deck));
  return words;
}

function shuffle(items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function bitmapURL(bitmap) {
  const side = Math.round(Math.sqrt(bitmap.length));
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = side;
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side);
  bitmap.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}
