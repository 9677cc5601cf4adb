// A student's profile for an educator, in the order that shows the student
// in their best light: their own voice first, then notes, recent attendance,
// assessments, grades, services and teams.
import {ApiError, call, seg} from './api.js';
import {el, fill, append, when, day, table, field, section, empty} from './dom.js';
import {showError, toast, currentUser} from './app.js';
import {reasonText, kindText} from './educator.js';

const kBreakGlassMin = 20;

export async function renderProfile(page, id, all) {
  let profile;
  try {
    const older = all ? '?history=all' : '';
    profile = await call('GET', '/api/students/' + seg(id) + '/profile' + older);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return breakGlass(page, id, error);
    throw error;
  }
  const s = profile.student;
  append(page,
    el('h1', {}, s.name, s.retracted ? el('span', {class: 'tag'}, 'no longer in the SIS') : null),
    el('p', {class: 'lead'}, 'Grade ' + s.grade + ' · ' + (s.school_name || s.school)),
    el('p', {class: 'reason'}, el('strong', {}, 'Why you can see this record: '),
      reasonText(profile.access_reason), '. This view was recorded in the student\'s access ' +
      'history at ', when(profile.as_of), '.'),
    voice(profile.voice),
    notes(profile, id),
    statements(profile),
    attendance(profile),
    records('Assessments', profile.assessments, [['Date', (r) => day(r.date)],
      ['Assessment', (r) => r.assessment], ['Subject', (r) => r.subject], ['Score', (r) => r.score],
      ['Percentile', (r) => r.percentile ?? ''], ['Level', (r) => r.performance_level]]),
    records('Grades', profile.grades, [['Term', (r) => r.term], ['Class', (r) => r.class_id],
      ['Grade', (r) => r.grade], ['Date', (r) => day(r.date)]]),
    records('Services', profile.services, [['Service', (r) => r.service],
      ['Provider', (r) => r.provider], ['From', (r) => day(r.start_date)],
      ['Until', (r) => r.ongoing ? 'ongoing' : day(r.end_date)],
      ['Note', (r) => r.discontinued_reason || '']]),
    records('Teams and activities', profile.teams, [['Activity', (r) => r.activity],
      ['Season', (r) => r.season], ['Coach', (r) => r.coach]]),
    older(id, all, profile));
}

function voice(items) {
  return section('In their own words', items.length ? items.map((v) =>
    el('blockquote', {class: 'voice' + (v.retracted ? ' retracted' : '')},
      el('p', {class: 'prompt'}, v.prompt), el('p', {}, v.answer),
      el('footer', {class: 'muted'}, when(v.submitted_at)))) :
    empty('The student has not shared anything yet.'));
}

function notes(profile, studentId) {
  const list = el('div', {class: 'notes'}, profile.notes.length ? profile.notes.map(note) :
    empty('No notes yet.'));
  return section('Notes', list, noteForm(studentId));
}

function note(n) {
  const body = el('div', {class: 'note-text'});
  const box = el('article', {class: 'note' + (n.restricted ? ' restricted' : '')},
    el('header', {}, el('strong', {}, kindText(n.kind)), ' by ', n.author_name || n.author,
      ' · ', when(n.at), n.revised_at ? el('span', {class: 'muted'}, ' · revised ' +
        when(n.revised_at) + ' by ' + (n.revised_by_name || n.revised_by)) : null), body);
  if (!n.restricted) {
    fill(body, el('p', {}, n.text));
  } else {
    fill(body, restrictedText(n));
  }
  if (n.mine && !n.restricted) box.append(reviseButton(n, body));
  return box;
}

function restrictedText(n) {
  const flags = (currentUser() && currentUser().flags) || [];
  if (!flags.includes('can_view_restricted_notes')) {
    return el('p', {class: 'muted'}, 'Restricted note. Its text is shown only to staff ' +
      'allowed to read restricted notes.');
  }
  const holder = el('div', {}, el('p', {class: 'muted'}, 'Restricted note. Reading its text ' +
    'is recorded separately in the student\'s access history.'));
  const button = el('button', {type: 'button', on: {click: async () => {
    button.disabled = true;
    try {
      const shown = await call('GET', '/api/notes/' + seg(n.id) + '/restricted');
      fill(holder, el('p', {}, shown.text));
    } catch (error) {
      showError(error, holder);
    }
  }}}, 'Show the restricted text');
  holder.append(button);
  return holder;
}

function reviseButton(n, body) {
  const button = el('button', {type: 'button', class: 'link', on: {click: () => {
    const text = el('textarea', {rows: 4, required: true, value: n.text});
    const status = el('div');
    const form = el('form', {on: {submit: async (event) => {
      event.preventDefault();
      try {
        await call('POST', '/api/notes/' + seg(n.id) + '/revisions', {text: text.value});
        toast('Your note was revised; the earlier text stays in the record.');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (error) {
        showError(error, status);
      }
    }}}, field('Revised text', text), el('button', {type: 'submit', class: 'primary'}, 'Save'),
    status);
    fill(body, form);
    button.hidden = true;
  }}}, 'Revise my note');
  return button;
}

function noteForm(studentId) {
  const kind = el('select', {name: 'kind'}, ['other', 'sst', 'mtss', 'parent_conversation',
    'counselor'].map((k) => el('option', {value: k}, kindText(k))));
  const text = el('textarea', {name: 'text', rows: 3, required: true});
  const restricted = el('input', {type: 'checkbox', name: 'restricted'});
  const status = el('div');
  return el('details', {class: 'write'}, el('summary', {}, 'Write a note'),
    el('form', {on: {submit: async (event) => {
      event.preventDefault();
      try {
        await call('POST', '/api/students/' + seg(studentId) + '/notes',
          {kind: kind.value, text: text.value, restricted: restricted.checked});
        toast('Note saved.');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (error) {
        showError(error, status);
      }
    }}}, field('Kind', kind), field('Note', text),
    el('label', {class: 'check'}, restricted, ' Restricted (only staff allowed to read ' +
      'restricted notes see the text)'),
    el('button', {type: 'submit', class: 'primary'}, 'Save note'), status));
}

function statements(profile) {
  const items = [...(profile.statements || []), ...(profile.amendments || [])];
  if (!items.length) return null;
  return section('Statements and amendments from the family', items.map((s) =>
    el('div', {class: 'statement'}, el('p', {}, s.text || s.reason || s.summary || ''),
      el('small', {class: 'muted'}, when(s.at || s.attached_at || s.decided_at)))));
}

function attendance(profile) {
  const sum = profile.attendance_summary || {};
  const since = profile.window ? day(profile.window.since) : '';
  return section('Attendance, last 45 days',
    el('p', {class: sum.alert ? 'alert' : ''}, 'Since ' + since + ': ' + (sum.absent || 0) +
      ' absent (' + (sum.absent_excused || 0) + ' excused), ' + (sum.tardy || 0) + ' tardy.'),
    profile.attendance.length ? table([['Date', (r) => day(r.date)], ['Status', (r) => r.status],
      ['Excused', (r) => (r.excused ? 'yes' : 'no')], ['Reason', (r) => r.reason]],
    profile.attendance) : empty('No absences or late arrivals recorded.'));
}

function records(title, rows, columns) {
  return section(title, rows.length ? table(columns, rows) : empty('None recorded.'));
}

function older(id, all, profile) {
  if (all) {
    return el('p', {class: 'muted'}, 'Showing older data too, as of ' + when(profile.as_of) +
      '. ', el('a', {href: '#/student/' + seg(id)}, 'Back to the recent view'));
  }
  return el('div', {class: 'card'}, el('p', {}, 'The view above holds the recent record. Older ' +
    'data is a separate read, recorded in the student\'s access history as a view of the ' +
    'full profile history.'), el('a', {class: 'button', href: '#/student/' + seg(id) + '/all'},
    'Show older data'));
}

function breakGlass(page, id, refusal) {
  const reason = el('textarea', {rows: 3, required: true, minlength: kBreakGlassMin});
  const count = el('small', {class: 'muted'}, '0 of ' + kBreakGlassMin + ' characters');
  reason.addEventListener('input', () => {
    fill(count, reason.value.trim().length + ' of ' + kBreakGlassMin + ' characters');
  });
  const status = el('div');
  append(page, el('h1', {}, 'No access to this record'),
    el('p', {class: 'error'}, refusal.message),
    section('Emergency access (break-glass)',
      el('p', {}, 'In an emergency you can open this record for one hour. Say why in at least ' +
        kBreakGlassMin + ' characters. The privacy officer is alerted, and the use is recorded ' +
        'in the student\'s access history.'),
      el('form', {on: {submit: async (event) => {
        event.preventDefault();
        if (reason.value.trim().length < kBreakGlassMin) {
          fill(status, el('p', {class: 'error'}, 'The reason needs at least ' + kBreakGlassMin +
            ' characters.'));
          return;
        }
        try {
          const glass = await call('POST', '/api/students/' + seg(id) + '/break-glass',
            {reason: reason.value});
          toast('Emergency access until ' + when(glass.expires_at) + '.');
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (error) {
          showError(error, status);
        }
      }}}, field('Reason', reason), count,
      el('button', {type: 'submit', class: 'danger'}, 'Open the record for one hour'), status)));
}
