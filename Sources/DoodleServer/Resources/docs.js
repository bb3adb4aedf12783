// The API docs page (/docs): every operation of /openapi.json with its parameters, an example request
// as a curl line, the answers it can give, and a "try it" form that sends the request to this server
// and shows the answer. No outside requests: the document and this page come from the same server.

const $ = (id) => document.getElementById(id);
const origin = location.origin;

/** Follows a local "$ref" in the document. */
function resolve(doc, node) {
  if (!node || typeof node.$ref !== "string") return node;
  return node.$ref.slice(2).split("/").reduce((at, key) => at?.[key], doc);
}

/** Text in an element, never markup. */
function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** The curl line for an operation with its example body. */
function curlLine(method, path, body, type) {
  const parts = [`curl -s${method === "GET" ? "" : ` -X ${method}`} '${origin}${path}'`];
  if (body !== undefined) {
    parts.push(`-H 'content-type: ${type}'`);
    parts.push(`-d '${JSON.stringify(body).replaceAll("'", "'\\''")}'`);
  }
  return parts.join(" \\\n  ");
}

/** The path with each {parameter} replaced by its example or the form's value. */
function fillPath(path, values) {
  return path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(values[name] ?? name));
}

function renderOperation(doc, path, method, operation) {
  const id = operation.operationId ?? `${method}-${path}`;
  const card = element("section", "", "card operation");
  card.id = id;
  const title = element("h2");
  title.append(element("span", method.toUpperCase(), "method"), element("span", path, "path"),
    element("span", operation.summary ?? "", "muted"));
  card.append(title);
  if (operation.description) card.append(element("p", operation.description, "muted"));

  const parameters = operation.parameters ?? [];
  const examples = {};
  for (const p of parameters) examples[p.name] = p.example ?? "";
  if (parameters.length) {
    const table = element("table");
    table.append(Object.assign(element("tr"), { innerHTML: "<th>parameter</th><th>in</th><th>what</th>" }));
    for (const p of parameters) {
      const row = element("tr");
      row.append(element("td", p.name + (p.required ? " *" : "")), element("td", p.in), element("td", p.description ?? ""));
      table.append(row);
    }
    card.append(table);
  }

  const content = operation.requestBody?.content ?? {};
  const type = content["application/json"] ? "application/json" : Object.keys(content)[0];
  const example = type ? content[type].example : undefined;
  const upper = method.toUpperCase();
  card.append(element("pre", curlLine(upper, fillPath(path, examples), example, type)));

  const answers = element("table");
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const row = element("tr");
    const schema = Object.values(resolve(doc, response).content ?? {})[0]?.schema;
    const name = schema?.$ref?.split("/").pop() ?? schema?.type ?? "";
    row.append(element("td", status), element("td", resolve(doc, response).description ?? ""), element("td", name, "muted"));
    answers.append(row);
  }
  card.append(element("h3", "Answers"), answers);

  // Try it: path and query parameters as fields, the body as editable JSON.
  const form = element("form", "", "try");
  const fields = {};
  const row = element("div", "", "row");
  for (const p of parameters.filter((p) => p.in === "path" || p.in === "query")) {
    const label = element("label", `${p.name} `);
    const input = element("input");
    input.name = p.name;
    input.value = p.example ?? "";
    input.setAttribute("aria-label", p.name);
    fields[p.name] = input;
    label.append(input);
    row.append(label);
  }
  let bodyField = null;
  if (type === "application/json") {
    bodyField = element("textarea");
    bodyField.value = JSON.stringify(example ?? {}, null, 1);
    bodyField.setAttribute("aria-label", "request body");
  }
  const send = element("button", "Try it");
  send.type = "submit";
  row.append(send);
  const output = element("pre", "", "answer");
  output.hidden = true;
  form.append(row);
  if (bodyField) form.append(bodyField);
  form.append(output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.value]));
    let url = fillPath(path, values);
    const query = parameters.filter((p) => p.in === "query" && values[p.name] !== "")
      .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(values[p.name])}`);
    if (query.length) url += `?${query.join("&")}`;
    const init = { method: upper, headers: {} };
    if (bodyField) {
      init.headers["Content-Type"] = "application/json";
      init.body = bodyField.value;
    }
    output.hidden = false;
    output.textContent = "…";
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 1); } catch { /* not JSON: shown as it is */ }
      if (shown.length > 4000) shown = shown.slice(0, 4000) + "\n…";
      output.textContent = `${response.status} ${response.statusText}  (X-Request-Id ${response.headers.get("X-Request-Id")})\n${shown}`;
      output.className = response.ok ? "answer status-ok" : "answer status-bad";
    } catch (error) {
      output.textContent = `failed: ${error.message}`;
    }
  });
  card.append(form);
  return card;
}

async function main() {
  try {
    const doc = await (await fetch("/openapi.json")).json();
    $("docs-intro").textContent = doc.info.description;
    const index = element("ul");
    const operations = $("docs-operations");
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const card = renderOperation(doc, path, method, operation);
        operations.append(card);
        const link = element("a", `${method.toUpperCase()} ${path}`);
        link.href = `#${card.id}`;
        const entry = element("li");
        entry.append(link, element("span", ` ${operation.summary ?? ""}`, "muted"));
        index.append(entry);
      }
    }
    $("docs-index").append(index);
    document.body.dataset.ready = "true";
  } catch (error) {
    $("docs-error").textContent = `Could not load /openapi.json: ${error.message}`;
    $("docs-error").hidden = false;
  }
}
main();
