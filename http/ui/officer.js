// The privacy officer's views: the audit trail, alerts, breach reports and
// the families' requests.
import {call, download, query, seg} from './api.js';
import {el, fill, append, when, table, field, section, empty} from './dom.js';
import {showError, toast} from './app.js';

export function nav() {
  return [['#/', 'Audit trail'], ['#/alerts', 'Alerts'], ['#/breach', 'Breach report'],
    ['#/requests', 'Family requests']];
}

export async function render(page, name) {
  if (name === 'alerts') return renderAlerts(page);
  if (name === 'breach') return renderBreach(page);
  if (name === 'requests') return renderRequests(page);
  return renderAudit(page);
}

function input(name, type = 'text', placeholder = '') {
  return el('input', {name, type, placeholder});
}

async function renderAudit(page) {
  const inputs = {student_id: input('student_id', 'text', 'stu_…'),
    actor_id: input('actor_id', 'text', 'usr_… or cli'), since: input('since', 'date'),
    until: input('until', 'date'), action: el('select', {name: 'action'},
      ['', 'RecordViewed', 'AccessDenied', 'RecordDisclosed'].map((a) =>
        el('option', {value: a}, a || 'any')))};
  const results = el('div');
  const more = el('button', {type: 'button', hidden: true}, 'Older');
  let cursor = null;
  let rows = [];
  const load = async (fresh) => {
    if (fresh) { cursor = null; rows = []; }
    const params = {limit: 50, cursor};
    for (const [key, control] of Object.entries(inputs)) params[key] = control.value;
    try {
      const result = await call('GET', '/api/audit/events' + query(params));
      rows = rows.concat(result.events);
      cursor = result.next_cursor;
      more.hidden = !cursor;
      fill(results, rows.length ? auditTable(rows) : empty('No access events match.'));
    } catch (error) {
      showError(error, results);
    }
  };
  more.addEventListener('click', () => load(false));
  append(page, el('h1', {}, 'Audit trail'),
    el('p', {class: 'muted'}, 'Access events, newest first. Your queries are recorded too.'),
    el('form', {class: 'filters', on: {submit: (event) => { event.preventDefault(); load(true); }}},
      Object.entries({student_id: 'Student', actor_id: 'Account', since: 'Since',
        until: 'Until', action: 'Action'}).map(([key, label]) => field(label, inputs[key])),
      el('button', {type: 'submit', class: 'primary'}, 'Search')), results, more);
  await load(true);
}

function auditTable(rows) {
  return table([['#', (e) => e.seq], ['When', (e) => when(e.at)],
    ['Who', (e) => actorText(e.actor)],
    ['Action', (e) => e.action], ['Scope', (e) => e.scope || ''],
    ['Student', (e) => e.student_id || ''], ['Reason', (e) => e.reason || ''],
    ['Outcome', (e) => e.outcome || ''], ['From', (e) => e.ip || '']], rows);
}

// An account as the audit trail names it; a failed sign-in may name none.
function actorText(actor) {
  if (!actor || !(actor.username || actor.id)) return 'no account';
  const role = actor.role ? ' (' + actor.role.replace(/_/g, ' ') + ')' : '';
  return (actor.username || actor.id) + role;
}

async function renderAlerts(page) {
  const data = await call('GET', '/api/audit/alerts');
  append(page, el('h1', {}, 'Alerts'), el('p', {class: 'muted'}, 'Break-glass uses, bulk ' +
    'access (more than ' + data.settings.bulk_access_threshold + ' students an hour) and ' +
    'bursts of refusals.'), data.alerts.length ? data.alerts.map(alertCard) :
    empty('No alerts.'));
}

function alertCard(a) {
  const status = el('div');
  const note = el('textarea', {rows: 2, required: true});
  const reviewed = a.reviewed || a.review;
  return el('article', {class: 'card' + (reviewed ? '' : ' unreviewed')},
    el('h3', {}, (a.kind || a.type || 'alert').replace(/_/g, ' '), ' · ', when(a.at)),
    a.actor ? el('p', {}, 'Account: ' + actorText(a.actor)) : null,
    el('dl', {}, Object.entries(a).filter(([k, v]) =>
      !['id', 'kind', 'type', 'at', 'reviewed'].includes(k) &&
      v !== null && typeof v !== 'object').map(([k, v]) => [el('dt', {}, k.replace(/_/g, ' ')),
      el('dd', {}, String(v))])),
    reviewed ? el('p', {class: 'muted'}, 'Reviewed', reviewText(a)) :
      el('form', {on: {submit: async (event) => {
        event.preventDefault();
        try {
          await call('POST', '/api/audit/alerts/' + seg(a.id) + '/review', {note: note.value});
          toast('Alert reviewed.');
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (error) {
          showError(error, status);
        }
      }}}, field('Review note', note), el('button', {type: 'submit'}, 'Mark reviewed'), status));
}

function reviewText(a) {
  const review = a.review && typeof a.review === 'object' ? a.review : {};
  const by = review.by && (review.by.username || review.by.id);
  return (by ? ' by ' + by : '') + (review.at ? ' on ' + when(review.at) : '') +
    (review.note ? ': ' + review.note : '.');
}

async function renderBreach(page) {
  const actor = input('actor_id', 'text', 'usr_…');
  const since = input('since', 'date');
  const until = input('until', 'date');
  const results = el('div');
  const path = () => '/api/audit/breach-report' + query({actor_id: actor.value.trim(),
    since: since.value, until: until.value});
  const csv = el('button', {type: 'button', on: {click: async () => {
    try {
      await download(path(), 'text/csv', 'breach-report.csv');
    } catch (error) {
      showError(error, results);
    }
  }}}, 'Download CSV');
  append(page, el('h1', {}, 'Breach report'), el('p', {class: 'muted'}, 'Everything one ' +
    'account read in a window: the students, the guardians to notify, each access.'),
  el('form', {class: 'filters', on: {submit: async (event) => {
    event.preventDefault();
    try {
      fill(results, breachReport(await call('GET', path())));
    } catch (error) {
      showError(error, results);
    }
  }}}, field('Account id', actor), field('Since', since), field('Until', until),
  el('button', {type: 'submit', class: 'primary'}, 'Run report'), csv), results);
}

function breachReport(report) {
  return [el('p', {}, 'Account ' + report.actor.username + ' (' + report.actor.role + '), ' +
    when(report.window.since) + ' to ' + when(report.window.until) + ': ' +
    Object.entries(report.totals || {}).map(([k, v]) => v + ' ' + k.replace(/_/g, ' ')).join(', ')),
  report.students.length ? table([['Student', (s) => s.name + ' (' + s.id + ')'],
    ['Guardians to notify', (s) => s.guardians.map((g) => g.name + ' <' + g.email + '>')
      .join(', ')],
    ['Accesses', (s) => s.accesses.map((a) => when(a.at) + ' ' + a.scope + ' (' + a.reason +
      ')').join('; ')]], report.students) : empty('The account read no student record then.')];
}

async function renderRequests(page) {
  const data = await call('GET', '/api/family-requests?status=pending');
  append(page, el('h1', {}, 'Family requests'), el('p', {class: 'muted'}, 'Pending ' +
    'corrections, inspections and deletions, oldest first.'), data.requests.length ?
    data.requests.map(requestCard) : empty('No pending requests.'));
}

function requestCard(r) {
  const status = el('div');
  const act = (path, body, done) => async (event) => {
    event.preventDefault();
    try {
      await call('POST', path, body());
      toast(done);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      showError(error, status);
    }
  };
  const reason = el('textarea', {rows: 2});
  let actions = null;
  if (r.kind === 'correction') {
    const decision = el('select', {}, el('option', {value: 'amend'}, 'Amend the record'),
      el('option', {value: 'refuse'}, 'Refuse (the family may attach a statement)'));
    actions = el('form', {on: {submit: act('/api/correction-requests/' + seg(r.id) + '/decision',
      () => ({decision: decision.value, reason: reason.value}), 'Decision recorded.')}},
    field('Decision', decision), field('Reason', reason), el('button', {type: 'submit'}, 'Decide'));
  } else if (r.kind === 'inspection') {
    actions = el('form', {on: {submit: act('/api/inspection-requests/' + seg(r.id) + '/fulfil',
      () => ({}), 'Inspection marked fulfilled.')}}, el('button', {type: 'submit'},
      'Mark fulfilled'));
  } else if (r.kind === 'deletion') {
    actions = el('form', {on: {submit: act('/api/deletion-requests/' + seg(r.id) + '/approve',
      () => ({}), 'Record deleted (crypto-shredded).')}}, el('p', {class: 'error'},
      'Approving destroys the record\'s key: it can never be read again.'),
    el('button', {type: 'submit', class: 'danger'}, 'Approve and delete'));
  }
  return el('article', {class: 'card'}, el('h3', {}, r.kind + ' request · ' + r.student_id),
    el('p', {}, 'Asked ' + when(r.requested_at) + (r.due_by ? ', due by ' + when(r.due_by) : '') +
      (r.about_seq !== undefined ? ', about entry #' + r.about_seq : '')),
    r.text || r.reason ? el('blockquote', {}, r.text || r.reason) : null, actions, status);
}
