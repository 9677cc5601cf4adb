// The JSON API of SPEC §6, called with the session cookie. Reads are audited
// by the server exactly as any other API read.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = body && body.error ? body.error : {};
  const fallback = response.status === 503
    ? 'The audit log cannot record this read right now, so nothing was shown. Try again later.'
    : 'The server answered ' + response.status + '.';
  return new ApiError(response.status, error.code || 'error', error.message || fallback,
    error.details);
}

// Calls `path`; a `body` is sent as JSON. Resolves to the parsed JSON (or
// null for an empty answer); rejects with an ApiError.
export async function call(method, path, body) {
  const init = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return parse(await send(path, init));
}

// POSTs raw bytes (a zip import).
export async function upload(path, blob, contentType) {
  return parse(await send(path, {method: 'POST', credentials: 'same-origin', body: blob,
    headers: {'Content-Type': contentType, Accept: 'application/json'}}));
}

// Fetches `path` as a file (e.g. Accept: text/csv) and hands it to the
// browser as a download named `filename`.
export async function download(path, accept, filename) {
  const response = await send(path, {credentials: 'same-origin', headers: {Accept: accept}});
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
}

async function parse(response) {
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

// A query string from an object, leaving out empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && String(value) !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? '?' + text : '';
}

export const seg = encodeURIComponent;
