// "What can I draw?": the words the current model knows, searchable, each with how well the model
// knew it at training (validation top-1), and a mark on the words the game may ask for.

export class WordList {
  constructor({ state, elements }) {
    this.state = state;
    this.$ = elements;
    this.$("words-search").addEventListener("input", () => this.render());
  }

  /** The current model's entry in /api/models. */
  get model() {
    return this.state.models.find((m) => m.name === this.state.model);
  }

  open() {
    this.$("words-search").value = "";
    this.render();
    this.$("words").showModal();
    this.$("words-search").focus();
  }

  /** Refreshes the list, if it is showing, after the model changed. */
  update() {
    if (this.$("words").open) this.render();
  }

  render() {
    const model = this.model;
    if (!model) return;
    const game = new Set(model.game_words ?? []);
    const accuracy = model.class_accuracy ?? {};
    this.$("words-note").textContent = `${model.classes.length} words, in the order Quick, Draw! lists them.` +
      (game.size ? ` ✓ marks the ${game.size} the game asks for (right at least 80% of the time).` : "") +
      (model.class_accuracy ? " The bar is how often the model got the word right when it was trained." : "");
    const query = this.$("words-search").value.trim().toLowerCase();
    const shown = model.classes.filter((word) => word.toLowerCase().includes(query));
    this.$("words-count").textContent = query ? `${shown.length} of ${model.classes.length} match "${query}"` : "";
    this.$("words-list").replaceChildren(...shown.map((word) => {
      const item = document.createElement("li");
      item.dataset.word = word;
      item.classList.toggle("game", game.has(word));
      item.innerHTML = '<span class="word"></span><span class="bar"><span></span></span>';
      item.querySelector(".word").textContent = word;
      const share = accuracy[word];
      const bar = item.querySelector(".bar");
      if (share == null) bar.remove();
      else {
        bar.title = `right ${Math.round(share * 100)}% of the time at training`;
        bar.firstChild.style.width = `${(share * 100).toFixed(0)}%`;
      }
      return item;
    }));
  }
}
