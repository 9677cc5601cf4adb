// DOM construction without markup: every text goes in through text nodes,
// never parsed as HTML. Attributes are set one by one; event handlers only
// through addEventListener.

// el('p', {class: 'x'}, 'text', child, [more]) builds an element. In `props`:
// `on` is an object of event listeners; `class`, `for`, `data-*`, `aria-*` and
// plain attributes are set with setAttribute, booleans present or absent;
// `value` and `checked` are set as properties.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') {
      for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    } else if (key === 'value' || key === 'checked') {
      node[key] = value;
    } else if (key.startsWith('on')) {
      throw new Error('inline handlers are not allowed: ' + key);
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, ...children);
  return node;
}

// Appends strings (as text), numbers, nodes and arrays of them; skips null.
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replaces every child of `node`.
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, ...children);
}

// A date-time from the API ("2026-11-25T03:41:32Z") in the reader's locale.
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

// A calendar date ("2026-11-20") as the reader writes dates.
export function day(iso) {
  if (!iso) return '';
  const date = new Date(iso + 'T00:00:00');
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleDateString();
}

// A table: `columns` are [heading, row => cell] pairs.
export function table(columns, rows, caption) {
  return el('div', {class: 'table-wrap'},
    el('table', {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, columns.map(([heading]) => el('th', {scope: 'col'}, heading)))),
      el('tbody', {}, rows.map((row) =>
        el('tr', {}, columns.map(([, cell]) => el('td', {}, cell(row))))))));
}

// A labelled form field; `input` is the control.
export function field(label, input, hint) {
  const id = input.id || 'f-' + Math.random().toString(36).slice(2, 10);
  input.id = id;
  return el('div', {class: 'field'}, el('label', {for: id}, label), input,
    hint ? el('small', {class: 'muted'}, hint) : null);
}

export function section(title, ...children) {
  return el('section', {class: 'card'}, el('h2', {}, title), children);
}

export function empty(text) {
  return el('p', {class: 'muted'}, text);
}
