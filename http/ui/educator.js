// The educator's views: the home feed, student search and a student's profile.
import {call, query, seg} from './api.js';
import {el, fill, append, when, day, table, field, section, empty} from './dom.js';
import {showError} from './app.js';
import {renderProfile} from './profile.js';

export function nav() {
  return [['#/', 'Home feed'], ['#/search', 'Find a student']];
}

export async function render(page, name, args) {
  if (name === 'student' && args[0]) return renderProfile(page, args[0], args[1] === 'all');
  if (name === 'search') return renderSearch(page, args[0] || '');
  return renderFeed(page);
}

const reasons = {districtwide: 'district-wide access', schoolwide: 'school-wide access',
  grade: 'grade-level access', class: 'teaches a class', grant: 'explicit grant',
  break_glass: 'emergency (break-glass) access'};

// "class:cls-1" -> "teaches a class (cls-1)".
export function reasonText(reason) {
  if (!reason) return '';
  const [kind, ...rest] = String(reason).split(':');
  const label = reasons[kind];
  if (!label) return String(reason);
  return rest.length ? label + ' (' + rest.join(':') + ')' : label;
}

export function studentLink(student) {
  return el('a', {href: '#/student/' + seg(student.id)}, student.name || student.id);
}

async function renderFeed(page) {
  const list = el('ol', {class: 'feed'});
  const more = el('button', {type: 'button'}, 'Older');
  const status = el('div');
  append(page, el('h1', {}, 'Home feed'),
    el('p', {class: 'muted'}, 'Notes, services, student voice and attendance alerts for the ' +
      'students you work with, newest first.'), status, list, more);
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const result = await call('GET', '/api/feed' + query({limit: 25, before: cursor}));
      for (const item of result.items) list.append(feedItem(item));
      if (!list.children.length) fill(status, empty('Nothing new for your students.'));
      cursor = result.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error, status);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  await load();
}

function feedItem(item) {
  const head = el('div', {class: 'feed-head'}, studentLink(item.student),
    el('span', {class: 'tag tag-' + item.type}, feedLabel(item.type)),
    el('time', {datetime: item.at}, item.at.endsWith('T00:00:00Z') ? day(item.at.slice(0, 10)) :
      when(item.at)));
  return el('li', {class: 'card feed-item'}, head, feedBody(item),
    el('small', {class: 'muted'}, 'Why you see this: ', reasonText(item.access_reason)));
}

function feedLabel(type) {
  return {note: 'Note', service: 'Service', voice: 'Student voice', student_voice: 'Student voice',
    attendance_alert: 'Attendance alert'}[type] || type.replace(/_/g, ' ');
}

function feedBody(item) {
  if (item.type === 'attendance_alert') {
    return el('p', {}, item.absence_days + ' days absent since ' + day(item.since) +
      ' (last on ' + day(item.last_absence) + '), and no note yet.');
  }
  if (item.type === 'note') {
    return el('p', {}, el('span', {class: 'muted'}, kindText(item.kind) + ' by ' +
      (item.author_name || item.author) + ': '), item.text);
  }
  const parts = [item.service, item.provider, item.prompt, item.answer, item.text, item.summary]
    .filter(Boolean);
  return el('p', {}, parts.length ? parts.join(' — ') : '');
}

export function kindText(kind) {
  return {sst: 'Student support team', mtss: 'MTSS', parent_conversation: 'Parent conversation',
    counselor: 'Counselor', other: 'Note'}[kind] || kind;
}

async function renderSearch(page, initial) {
  const input = el('input', {type: 'search', name: 'q', value: initial,
    placeholder: 'Name of a student'});
  const results = el('div');
  const form = el('form', {class: 'inline', role: 'search', on: {submit: (event) => {
    event.preventDefault();
    location.hash = '#/search/' + seg(input.value.trim());
  }}}, field('Student name', input), el('button', {type: 'submit', class: 'primary'}, 'Search'));
  append(page, el('h1', {}, 'Find a student'),
    el('p', {class: 'muted'}, 'Only students you have access to are found. Each student found ' +
      'is recorded as found in a search in their access history.'), form, results);
  if (!initial) return input.focus();
  const found = await call('GET', '/api/students' + query({q: initial}));
  fill(results, found.students.length ? table([
    ['Name', studentLink], ['Grade', (s) => s.grade], ['School', (s) => s.school_name || s.school],
    ['Your access', (s) => reasonText(s.reason)]], found.students) :
    empty('No student you have access to matches.'));
}

export {section, table, when, day};
