// Backpack's web interface: sign-in, then the views of the signed-in role.
// Navigation is by the URL's fragment (#/feed, #/student/ID, ...), so that
// the server serves one page and every view can be bookmarked.
import {ApiError, call} from './api.js';
import {el, fill, field} from './dom.js';
import * as educator from './educator.js';
import * as guardian from './guardian.js';
import * as officer from './officer.js';
import * as admin from './admin.js';

const main = document.getElementById('main');
const views = {educator, guardian, privacy_officer: officer, district_admin: admin};
const roleNames = {educator: 'Educator', guardian: 'Guardian', privacy_officer: 'Privacy officer',
  district_admin: 'District administrator'};
let me = null;

// Shows `error` (an ApiError or any Error) in `where`, or as a toast.
export function showError(error, where) {
  if (error instanceof ApiError && error.status === 401 && me) {
    signedOut('Your session has ended. Please sign in again.');
    return;
  }
  const text = error instanceof ApiError ? error.message : 'Something went wrong: ' + error.message;
  const box = el('div', {class: 'error', role: 'alert'}, el('strong', {}, errorTitle(error)), ' ',
    text, detailsList(error));
  if (where) fill(where, box); else toast(text, true);
}

function errorTitle(error) {
  const titles = {403: 'Not allowed.', 404: 'Not found.', 409: 'Not now.', 410: 'Deleted.',
    422: 'Please check:', 429: 'Too many attempts.', 503: 'Not recorded, not shown.'};
  return (error instanceof ApiError && titles[error.status]) || 'Error.';
}

function detailsList(error) {
  if (!(error instanceof ApiError) || !error.details.length) return null;
  return el('ul', {}, error.details.map((d) =>
    el('li', {}, [d.file, d.line].filter(Boolean).join(':') || d.field || '',
      (d.file || d.field) ? ': ' : '', d.message || JSON.stringify(d))));
}

export function toast(text, isError) {
  const box = document.getElementById('toast');
  box.className = isError ? 'toast toast-error' : 'toast';
  fill(box, text);
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
}

export function currentUser() { return me; }

function signInForm(message) {
  const username = el('input', {name: 'username', autocomplete: 'username', required: true});
  const password = el('input', {type: 'password', name: 'password',
    autocomplete: 'current-password', required: true});
  const status = el('div', {class: 'status'}, message ? el('p', {class: 'info'}, message) : null);
  const button = el('button', {type: 'submit', class: 'primary'}, 'Sign in');
  const form = el('form', {class: 'card signin', on: {submit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    fill(status);
    try {
      const session = await call('POST', '/api/session',
        {username: username.value, password: password.value});
      password.value = '';
      start(session.user);
    } catch (error) {
      fill(status, signInProblem(error));
    } finally {
      button.disabled = false;
    }
  }}}, el('h1', {}, 'Sign in to Backpack'), field('Username', username),
  field('Password', password), button, status);
  return form;
}

function signInProblem(error) {
  let text = error.message;
  if (error.status === 401) text = 'The username or password is not right.';
  if (error.status === 429) {
    text = 'Too many sign-in attempts. Wait a few minutes before trying again.';
  }
  return el('p', {class: 'error', role: 'alert'}, text);
}

function signedOut(message) {
  me = null;
  fill(document.getElementById('who'));
  fill(document.getElementById('nav'));
  document.getElementById('recorded').hidden = true;
  fill(main, signInForm(message));
  main.querySelector('input').focus();
}

async function signOut() {
  try {
    await call('DELETE', '/api/session');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) showError(error);
  }
  history.replaceState(null, '', '#/');
  signedOut('You have signed out.');
}

function start(user) {
  me = user;
  fill(document.getElementById('who'), el('span', {},
    user.display_name || user.username, ' · ', roleNames[user.role] || user.role),
  el('button', {type: 'button', class: 'link', on: {click: signOut}}, 'Sign out'));
  const view = views[user.role];
  fill(document.getElementById('nav'), view ? view.nav(user).map(([href, label]) =>
    el('a', {href}, label)) : []);
  document.getElementById('recorded').hidden = false;
  route();
}

// Renders the view the fragment names into `main`.
function route() {
  if (!me) return;
  const view = views[me.role];
  if (!view) {
    fill(main, el('p', {}, 'This account has no view here.'));
    return;
  }
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const here = location.hash || '#/';
  for (const link of document.querySelectorAll('#nav a')) {
    const href = link.getAttribute('href');
    const inside = href !== '#/' && here.startsWith(href + '/');
    link.classList.toggle('active', here === href || inside);
  }
  const page = el('div', {class: 'page'});
  fill(main, page);
  view.render(page, name || '', args, me).catch((error) => showError(error, page));
  main.focus({preventScroll: true});
}

async function boot() {
  window.addEventListener('hashchange', route);
  try {
    start(await call('GET', '/api/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOut();
    else showError(error, main);
  }
}

boot();
