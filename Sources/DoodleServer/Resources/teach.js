// "Teach Doodle a word": the Teach mode. A player types a word the model does not know, draws it 5 to
// 10 times on the pad ("Keep this drawing" after each), and teaches it (POST /api/words). The server
// keeps the drawings and scores the word beside the model's classes from then on; the page loads the
// model's taught words (GET /api/words) into its network, so that guesses made in the browser
// include them too.

const MIN = 5;
const MAX = 10;

export class Teacher {
  /**
   * @param {{pad: object, state: object, elements: function, onTaught: function(string): Promise<void>}} options
   *   onTaught(model) reloads the model's taught words into the page.
   */
  constructor({ pad, state, elements, onTaught }) {
    this.pad = pad;
    this.state = state;
    this.$ = elements;
    this.onTaught = onTaught;
    this.drawings = [];
    this.$("teach-keep").addEventListener("click", () => this.keep());
    this.$("teach-bar").addEventListener("submit", (event) => {
      event.preventDefault();
      this.teach();
    });
    this.$("teach-word").addEventListener("input", () => this.update());
  }

  /** Shows the teaching bar in Teach mode and starts afresh. */
  setMode(mode) {
    const teaching = mode === "teach";
    this.$("teach-bar").hidden = !teaching;
    if (teaching) {
      this.reset();
      this.$("teach-word").focus();
    }
  }

  reset() {
    this.drawings = [];
    this.pad.clear();
    this.update();
  }

  /** Keeps the drawing on the pad as one example and clears the pad for the next. */
  keep() {
    if (this.pad.isEmpty || this.drawings.length >= MAX) return;
    this.drawings.push(this.pad.apiStrokes);
    this.pad.clear();
    this.status("");
    this.update();
    this.$("pad").focus();
  }

  /** The counter and the buttons, from the word and the drawings kept. */
  update() {
    const n = this.drawings.length;
    const word = this.$("teach-word").value.trim();
    this.$("teach-count").textContent =
      n === 0 ? `Draw it ${MIN} to ${MAX} times` : `${n} drawing${n === 1 ? "" : "s"} kept` +
        (n < MIN ? `: ${MIN - n} more to go` : n < MAX ? ": teach it now, or draw more" : ": that's plenty");
    this.$("teach-keep").disabled = n >= MAX;
    this.$("teach-done").disabled = n < MIN || !word;
    document.body.dataset.teachKept = String(n);
  }

  /** Sends the word and its drawings; on success the model guesses it, here and on the server. */
  async teach() {
    const word = this.$("teach-word").value.trim();
    if (!word || this.drawings.length < MIN) return;
    this.$("teach-done").disabled = true;
    const model = this.state.model;
    try {
      const response = await fetch("/api/words", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model, word, drawings: this.drawings }),
      });
      const reply = await response.json();
      if (!response.ok) throw new Error(reply?.error?.message ?? `HTTP ${response.status}`);
      await this.onTaught(model);
      this.$("teach-word").value = "";
      this.reset();
      this.status(`Doodle knows “${reply.word}” now (${reply.examples} drawings). Draw it and see.`);
      document.body.dataset.taught = reply.words.join("|");
    } catch (error) {
      this.status(`Could not teach it: ${error.message}`, true);
      this.update();
    }
  }

  status(text, isError = false) {
    const line = this.$("teach-status");
    line.textContent = text;
    line.classList.toggle("error", isError);
  }
}
