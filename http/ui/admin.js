// The district administrator's views: who has access to a student, grants,
// and imports.
import {call, upload, query, seg} from './api.js';
import {el, fill, append, table, field, section, empty} from './dom.js';
import {showError} from './app.js';

export function nav() {
  return [['#/', 'Access'], ['#/grants', 'Grants'], ['#/import', 'Import']];
}

export async function render(page, name) {
  if (name === 'grants') return renderGrants(page);
  if (name === 'import') return renderImport(page);
  return renderAccess(page);
}

function renderAccess(page) {
  const id = el('input', {name: 'student_id', placeholder: 'stu_…', required: true});
  const results = el('div');
  append(page, el('h1', {}, 'Who has access to a student'), el('form', {class: 'filters',
    on: {submit: async (event) => {
      event.preventDefault();
      try {
        const data = await call('GET', '/api/students/' + seg(id.value.trim()) + '/access');
        fill(results, data.access.length ? table([['Account', (a) => a.username],
          ['Name', (a) => a.display_name], ['Role', (a) => a.role], ['Why', (a) => a.reason]],
        data.access) : empty('Nobody has access now.'));
      } catch (error) {
        showError(error, results);
      }
    }}}, field('Student id', id), el('button', {type: 'submit', class: 'primary'}, 'Show')),
  results);
}

function renderGrants(page) {
  const educator = el('input', {required: true, placeholder: 'usr_…'});
  const kind = el('select', {}, [['student_id', 'One student'], ['class_id', 'A class'],
    ['school_id', 'A school\'s grades']].map(([v, l]) => el('option', {value: v}, l)));
  const target = el('input', {required: true, placeholder: 'stu_…, class or school id'});
  const grades = el('input', {placeholder: '6,7'});
  const expires = el('input', {type: 'datetime-local'});
  const reason = el('input', {required: true});
  const created = el('div');
  const revokeId = el('input', {required: true, placeholder: 'grant id'});
  const revoked = el('div');
  append(page, el('h1', {}, 'Access grants'), section('Grant access', el('form', {on: {submit:
    async (event) => {
      event.preventDefault();
      const scope = {[kind.value]: target.value.trim()};
      if (kind.value === 'school_id') scope.grades = grades.value.split(',').map((g) => g.trim());
      const body = {educator_id: educator.value.trim(), scope, reason: reason.value};
      if (expires.value) body.expires_at = new Date(expires.value).toISOString();
      try {
        const grant = await call('POST', '/api/grants', body);
        fill(created, el('p', {class: 'info'}, 'Granted: ' + grant.id));
      } catch (error) {
        showError(error, created);
      }
    }}}, field('Educator id', educator), field('Scope', kind), field('Student, class or school',
    target), field('Grades (school scope)', grades), field('Expires (optional)', expires),
  field('Reason', reason), el('button', {type: 'submit', class: 'primary'}, 'Grant'), created)),
  section('Revoke a grant', el('form', {on: {submit: async (event) => {
    event.preventDefault();
    try {
      await call('DELETE', '/api/grants/' + seg(revokeId.value.trim()));
      fill(revoked, el('p', {class: 'info'}, 'Revoked.'));
    } catch (error) {
      showError(error, revoked);
    }
  }}}, field('Grant id', revokeId), el('button', {type: 'submit', class: 'danger'}, 'Revoke'),
  revoked)));
}

function renderImport(page) {
  const file = el('input', {type: 'file', accept: '.zip,application/zip', required: true});
  const mass = el('input', {type: 'checkbox'});
  const result = el('div');
  append(page, el('h1', {}, 'Import a OneRoster set'), el('form', {on: {submit: async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    fill(result, el('p', {class: 'muted'}, 'Importing…'));
    try {
      const done = await upload('/api/imports' + query({allow_mass_retraction:
        mass.checked ? 'true' : ''}), file.files[0], 'application/zip');
      fill(result, el('p', {class: 'info'}, 'Imported ' + done.import_id + ': ' +
        done.events_appended + ' events appended.'));
    } catch (error) {
      showError(error, result);
    }
  }}}, field('Zip file', file), el('label', {class: 'check'}, mass, ' Allow retracting more ' +
    'than half of what is held (a new school year)'), el('button', {type: 'submit',
    class: 'primary'}, 'Import'), result));
}
