// The guardian's views: their children's records, the whole history of each
// (every access included), disclosures, and the family's requests.
import {call, download, seg} from './api.js';
import {el, fill, append, when, table, field, section, empty} from './dom.js';
import {showError, toast} from './app.js';

export function nav(user) {
  return (user.students || []).map((id, i) => ['#/child/' + seg(id), 'Child ' + (i + 1)]);
}

export async function render(page, name, args, user) {
  const children = user.students || [];
  const id = name === 'child' && args[0] ? args[0] : children[0];
  if (!id) {
    return append(page, el('h1', {}, 'Your children\'s records'), empty('No student record is ' +
      'linked to your account yet. The school office can link it.'));
  }
  const history = await call('GET', '/api/students/' + seg(id) + '/history');
  const position = children.indexOf(id) + 1;
  append(page, el('h1', {}, 'Record of child ' + (position || '') + ' (' + id + ')'),
    el('p', {class: 'lead'}, 'Everything that happened to this record, oldest first: what the ' +
      'school imported and wrote, and every time someone looked at it, and why.'),
    history.shredded ? el('p', {class: 'error'}, 'This record was deleted (crypto-shredded).') :
      null,
    exportBox(id), requests(history), events(history), disclosures(history),
    statements(history), forms(id, history));
}

function who(w) {
  if (!w) return '';
  return (w.name || w.id) + (w.role ? ' (' + w.role.replace(/_/g, ' ') + ')' : '');
}

function events(history) {
  const rows = history.events;
  const accesses = rows.filter((e) => e.type === 'RecordViewed').length;
  return section('History (' + rows.length + ' entries, ' + accesses + ' views)',
    rows.length ? table([['#', (e) => e.seq], ['When', (e) => when(e.at)],
      ['Who', (e) => who(e.who)],
      ['What', (e) => el('span', {class: e.type === 'RecordViewed' ? 'viewed' : ''}, e.summary)]],
    rows) : empty('Nothing recorded yet.'));
}

function disclosures(history) {
  const rows = history.disclosures || [];
  return section('Disclosures (who saw or received the record, FERPA §99.32)',
    rows.length ? table([['When', (d) => when(d.at)], ['Who', (d) => who(d.who) || d.recipient],
      ['What', (d) => [d.action, d.scope].filter(Boolean).join(': ')],
      ['Why', (d) => d.reason || d.legitimate_interest || ''], ['Outcome', (d) => d.outcome || '']],
    rows) : empty('No disclosures recorded.'));
}

function statements(history) {
  const rows = history.statements || [];
  if (!rows.length) return null;
  return section('Your statements', rows.map((s) => el('p', {}, s.text)));
}

function requests(history) {
  const rows = history.requests || [];
  if (!rows.length) return null;
  return section('Your requests', table([['Request', (r) => r.kind], ['Asked', (r) =>
    when(r.requested_at)], ['Status', (r) => r.status], ['Details', (r) => requestDetails(r)]],
  rows));
}

function requestDetails(r) {
  const parts = [];
  if (r.text) parts.push(r.text);
  if (r.due_by) parts.push('due by ' + when(r.due_by));
  if (r.reason) parts.push(r.reason);
  if (r.decision_reason) parts.push('decision: ' + r.decision_reason);
  const out = el('span', {}, parts.join(' · '));
  if (r.kind === 'correction' && r.status === 'refused') out.append(' ', statementForm(r));
  return out;
}

function statementForm(r) {
  const text = el('textarea', {rows: 3, required: true});
  const status = el('div');
  return el('details', {}, el('summary', {}, 'Attach a statement'), el('form', {on: {submit:
    async (event) => {
      event.preventDefault();
      try {
        await call('POST', '/api/correction-requests/' + seg(r.id) + '/statement',
          {text: text.value});
        toast('Your statement is attached and will be shown with the record.');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (error) {
        showError(error, status);
      }
    }}}, field('Your statement', text), el('button', {type: 'submit'}, 'Attach'), status));
}

function exportBox(id) {
  const status = el('div');
  const button = el('button', {type: 'button', on: {click: async () => {
    try {
      await download('/api/students/' + seg(id) + '/history/export', 'application/json',
        'backpack-history-' + id + '.json');
    } catch (error) {
      showError(error, status);
    }
  }}}, 'Download the verifiable history');
  return el('div', {class: 'card'}, el('p', {}, 'The download holds every event with proofs ' +
    'that anyone can check (backpack verify-export).'), button, status);
}

function forms(id, history) {
  const post = (path, body, done) => async (event) => {
    event.preventDefault();
    const status = event.target.querySelector('.status');
    try {
      await call('POST', '/api/students/' + seg(id) + path, body());
      toast(done);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      showError(error, status);
    }
  };
  const about = el('select', {}, history.events.filter((e) => e.type !== 'RecordViewed')
    .map((e) => el('option', {value: e.seq}, '#' + e.seq + ' ' + e.summary)));
  const text = el('textarea', {rows: 3, required: true});
  const reason = el('textarea', {rows: 2, required: true});
  return section('Ask the school',
    el('form', {on: {submit: post('/correction-requests', () =>
      ({text: text.value, about_seq: Number(about.value)}), 'Correction requested.')}},
    el('h3', {}, 'Ask for a correction'), field('Which entry', about),
    field('What is wrong, and what it should say', text),
    el('button', {type: 'submit'}, 'Request a correction'), el('div', {class: 'status'})),
    el('form', {on: {submit: post('/inspection-requests', () => ({}),
      'Inspection requested. The school must answer within 45 days.')}},
    el('h3', {}, 'Ask to inspect the record'), el('p', {}, 'The school must let you inspect ' +
      'the record within 45 days. While the request is open, the record cannot be deleted.'),
    el('button', {type: 'submit'}, 'Request an inspection'), el('div', {class: 'status'})),
    el('form', {on: {submit: post('/deletion-requests', () => ({reason: reason.value}),
      'Deletion requested. The privacy officer decides.')}},
    el('h3', {}, 'Ask for the record to be deleted'), field('Why', reason),
    el('button', {type: 'submit', class: 'danger'}, 'Request deletion'),
    el('div', {class: 'status'})));
}
