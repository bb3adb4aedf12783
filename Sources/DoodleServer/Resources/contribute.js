// Giving drawings to Doodle, only by choice: the "Save my drawings" switch (off until a player turns
// it on, remembered in this browser), "That's not it: it was …" in free draw, and each game round
// saved with the word it asked for. Saves go to POST /api/drawings with the strokes as drawn (times
// included), the model and its guesses at the time.

const KEY = "doodle.saveDrawings";

export class Contributions {
  constructor({ pad, state, elements }) {
    this.pad = pad;
    this.state = state;
    this.$ = elements;
    this.enabled = localStorage.getItem(KEY) === "on";
    this.saved = 0;
    const toggle = this.$("save-switch");
    toggle.checked = this.enabled;
    toggle.addEventListener("change", () => {
      this.enabled = toggle.checked;
      localStorage.setItem(KEY, this.enabled ? "on" : "off");
      this.update();
    });
    this.$("correct").addEventListener("submit", (event) => {
      event.preventDefault();
      this.correct();
    });
    this.update();
  }

  /** Shows the correction form in free draw once something is drawn, and fills its word list. */
  update() {
    const form = this.$("correct");
    const free = (document.body.dataset.mode ?? "free") === "free";
    form.hidden = !free || this.pad.isEmpty;
    this.$("correct-save").disabled = !this.enabled;
    this.$("correct-note").textContent = this.enabled ? "" : "Turn on “Save my drawings” to send a correction.";
    const model = this.state.models.find((m) => m.name === this.state.model);
    const list = this.$("correct-words");
    if (list.dataset.model !== model?.name) {
      list.dataset.model = model?.name ?? "";
      list.replaceChildren(...(model?.classes ?? []).map((word) => new Option(word)));
    }
  }

  /** Saves the drawing on the pad under the word the player typed or picked. */
  async correct() {
    const input = this.$("correct-label");
    const label = input.value.trim();
    if (!this.enabled || !label || this.pad.isEmpty) return;
    const answer = this.state.latest;
    const ok = await this.save({ label, source: "correction", answer });
    if (ok) {
      input.value = "";
      this.status(`Thanks! Saved as “${ok.label}”.`);
    }
  }

  /** A game round ended: saved with the word asked, when the player chose to give drawings. */
  async saveRound({ word, strokes, answer }) {
    if (!this.enabled || strokes.length === 0) return;
    await this.save({ label: word, source: "game", answer, strokes });
  }

  /** POSTs one drawing; the server's answer, or null after showing what went wrong. */
  async save({ label, source, answer, strokes = this.pad.apiStrokes }) {
    const body = { strokes, label, source };
    if (answer?.model) body.model = answer.model;
    if (answer?.predictions) {
      body.guesses = answer.predictions.slice(0, 5).map(({ label, confidence }) => ({ label, confidence }));
    }
    try {
      const response = await fetch("/api/drawings", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const reply = await response.json();
      if (!response.ok) throw new Error(reply?.error?.message ?? `HTTP ${response.status}`);
      this.saved += 1;
      document.body.dataset.saved = String(this.saved);
      return reply;
    } catch (error) {
      this.status(`Could not save the drawing: ${error.message}`, true);
      return null;
    }
  }

  status(text, isError = false) {
    const line = this.$("save-status");
    line.textContent = text;
    line.classList.toggle("error", isError);
  }
}
