// app.js — the shell: session, navigation by role, and which page shows where.

import * as api from './api.js';
import { session } from './api.js';
import * as router from './router.js';
import { h, clear, announce } from './ui.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import * as signin from './page-signin.js';
import * as home from './page-home.js';
import * as projects from './page-projects.js';
import * as mapPage from './page-map.js';
import * as segmentsPage from './page-segments.js';
import * as segmentPage from './page-segment.js';
import * as milestones from './page-milestones.js';
import * as review from './page-review.js';
import * as reports from './page-reports.js';
import * as work from './page-work.js';
import * as myreports from './page-myreports.js';
import * as setup from './page-setup.js';
import * as firstRun from './page-setup-firstrun.js';
import * as audit from './page-audit.js';
import * as finance from './page-finance.js';
import * as sync from './sync.js';
import { registerShell } from './config.js';

const STAFF = ['admin', 'manager', 'finance'];
const REVIEWERS = ['admin', 'manager'];

/** Pages, who may open them, and how they appear in the navigation. */
const PAGES = {
  home: { roles: STAFF, nav: 'nav.home', href: () => '/' },
  projects: { roles: STAFF, nav: 'nav.projects', href: () => '/projects' },
  map: { roles: STAFF, nav: 'nav.map', href: (p) => (p ? `/projects/${p}/map` : '/projects') },
  segments: { roles: STAFF, nav: 'sg.nav', href: (p) => (p ? `/projects/${p}/segments` : '/projects') },
  milestones: { roles: STAFF, nav: 'nav.milestones', href: (p) => (p ? `/projects/${p}/milestones` : '/projects') },
  review: { roles: REVIEWERS, nav: 'nav.review', href: () => '/review' },
  reports: { roles: STAFF, nav: 'nav.reports', href: (p) => (p ? `/projects/${p}/reports` : '/projects') },
  finance: { roles: STAFF, nav: 'fi.nav', href: (p) => (p ? `/projects/${p}/finance` : '/projects') },
  setup: { roles: REVIEWERS, nav: 'su.nav', href: () => '/setup' },
  audit: { roles: STAFF, nav: 'au.nav', href: () => '/audit' },
  work: { roles: ['contractor'], nav: 'nav.work', href: () => '/work' },
  myreports: { roles: ['contractor'], nav: 'nav.myreports', href: () => '/my-reports' },
};

const PROJECT_KEY = 'fibertrack.project';
let currentPage = null;
let navAbort = null;

export function currentProject() {
  const v = sessionStorage.getItem(PROJECT_KEY);
  return v ? Number(v) : null;
}

export function setCurrentProject(id) {
  if (id) sessionStorage.setItem(PROJECT_KEY, String(id));
  renderNav();
}

function allowed(page, user) {
  return !!user && PAGES[page].roles.includes(user.role);
}

// ---- header ------------------------------------------------------------------------

let reviewCount = null;

function renderNav() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const user = session.user;
  clear(nav);
  clear(who);
  if (!user || !session.token) {
    nav.hidden = true;
    who.hidden = true;
    return;
  }
  const pid = currentProject();
  const ul = h('ul');
  for (const [key, p] of Object.entries(PAGES)) {
    if (!allowed(key, user)) continue;
    const a = h('a', { href: `#${p.href(pid)}`, dataset: { page: key } }, t(p.nav));
    if (key === 'review' && reviewCount !== null) {
      a.append(' ', h(reviewCount ? 'span.count' : 'span.count.count-zero', { 'aria-label': t('nav.waiting', { n: reviewCount }) },
        reviewCount > 99 ? '99+' : String(reviewCount)));
    }
    if (key === currentPage) a.setAttribute('aria-current', 'page');
    ul.append(h('li', a));
  }
  nav.append(ul);
  nav.hidden = false;
  who.append(
    h('span.who-name', user.name || user.email),
    h('span.role', { 'aria-label': t('who.role', { role: roleName(user.role) }), dataset: { role: user.role } }, roleName(user.role)),
    h('button.btn.btn-quiet', { type: 'button', id: 'signout', onclick: signOut }, t('who.signOut')),
  );
  who.hidden = false;
}

async function refreshReviewCount() {
  const user = session.user;
  if (!user || !REVIEWERS.includes(user.role)) return;
  try {
    const r = await api.get('progress-reports', { state: 'submitted', limit: 100 });
    reviewCount = r.items.length + (r.next_cursor ? 100 : 0);
  } catch {
    reviewCount = null;
  }
  renderNav();
}

export function setReviewCount(n) {
  reviewCount = n;
  renderNav();
}

async function signOut() {
  const btn = document.getElementById('signout');
  if (btn) btn.disabled = true;
  try {
    await api.logout();
  } catch {
    // The token is forgotten locally either way; the server may already have dropped it.
  }
  sessionStorage.removeItem(PROJECT_KEY);
  reviewCount = null;
  announce(t('app.signedOut'));
  router.navigate('/signin?bye=1');
}

// ---- pages -------------------------------------------------------------------------

function homeFor(user) {
  return user && user.role === 'contractor' ? '/work' : '/';
}

/** A fresh container for each page; old async work writes into a detached node. */
function freshContainer(title) {
  const main = document.getElementById('main');
  clear(main);
  const section = h('div.page');
  main.append(section);
  document.title = title ? `${title} · fibertrack` : 'fibertrack';
  return section;
}

function focusHeading(el) {
  const h1 = el.querySelector('h1');
  if (h1 && document.activeElement && document.activeElement !== document.body &&
      !document.getElementById('main').contains(document.activeElement)) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
}

function page(key, mod, title) {
  return async (params, query) => {
    const user = session.user;
    if (!allowed(key, user)) {
      const el = freshContainer(t('app.notAvailable'));
      currentPage = null;
      renderNav();
      el.append(
        h('h1', t('app.notAvailableH')),
        h('p', t('app.notAvailableRole', { role: roleName(user.role) })),
        h('p', h('a', { href: `#${homeFor(user)}` }, t('app.goHome'))),
      );
      return;
    }
    currentPage = key;
    if (params.id) setCurrentProject(Number(params.id));
    else renderNav();
    const el = freshContainer(t(title));
    navAbort = new AbortController();
    const ctx = { user, params, query, signal: navAbort.signal, project: currentProject(), app: appApi };
    // A page renders after its data arrives: if the user moved the focus
    // meanwhile (tabbed to the skip link, say), leave it where they put it.
    const focusAtStart = document.activeElement;
    await mod.render(el, ctx);
    if (document.activeElement === focusAtStart && !relocalizing) focusHeading(el);
  };
}

const appApi = { currentProject, setCurrentProject, setReviewCount, refreshReviewCount, navigate: router.navigate };

router.beforeEach(async (path, pattern) => {
  if (navAbort) navAbort.abort();
  const signedIn = !!session.token && !!session.user;
  if (pattern === '/signin') return true;
  if (!signedIn) {
    router.navigate(`/signin?next=${encodeURIComponent(path)}`, { replace: true });
    return false;
  }
  if (pattern === '/' && session.user.role === 'contractor') {
    router.navigate('/work', { replace: true });
    return false;
  }
  refreshReviewCount();
  // a contractor's outbox is sent in the background on every page, from now on
  if (session.user.role === 'contractor') sync.start();
  return true;
});

router.route('/signin', async (_params, query) => {
  currentPage = null;
  if (session.token && session.user && !query.get('expired')) {
    router.navigate(homeFor(session.user), { replace: true });
    return;
  }
  renderNav();
  const el = freshContainer(t('si.title'));
  await signin.render(el, {
    query,
    onSignedIn: async (user) => {
      reviewCount = null;
      if (STAFF.includes(user.role) && !currentProject()) {
        try {
          const r = await api.get('projects', { limit: 1 });
          if (r.items.length) sessionStorage.setItem(PROJECT_KEY, String(r.items[0].id));
        } catch { /* the pages say what is wrong */ }
      }
      if (user.role === 'contractor') sync.flush(); // what waited for this sign-in
      const next = query.get('next');
      router.navigate(next && next.startsWith('/') && !next.startsWith('/signin') ? next : homeFor(user));
    },
  });
});
// An admin or manager on an install without any project is led through the
// first run instead of an empty overview (SPEC 9); only asked while no project is known.
const homePage = page('home', home, 'nav.home');
router.route('/', async (params, query) => {
  const user = session.user;
  if (REVIEWERS.includes(user.role) && !currentProject()) {
    try {
      const r = await api.get('projects', { limit: 1 });
      if (r.items.length) sessionStorage.setItem(PROJECT_KEY, String(r.items[0].id));
      else {
        router.navigate('/setup/first-run', { replace: true });
        return;
      }
    } catch (err) {
      if (err.status === 401) return; // on the way to the sign-in page
      // anything else: the overview says what is wrong
    }
  }
  await homePage(params, query);
});
router.route('/projects', page('projects', projects, 'nav.projects'));
router.route('/projects/:id', page('home', home, 'nav.home'));
router.route('/projects/:id/map', page('map', mapPage, 'nav.map'));
router.route('/projects/:id/segments', page('segments', segmentsPage, 'sg.nav'));
// One segment (by id or code); it belongs to the Segments entry of the navigation.
router.route('/segments/:seg', page('segments', segmentPage, 'sg.segment'));
router.route('/projects/:id/milestones', page('milestones', milestones, 'nav.milestones'));
router.route('/projects/:id/reports', page('reports', reports, 'nav.reports'));
// Finance: invoices by default; the import, budget plan, drawdowns and Sachbericht as sections.
router.route('/projects/:id/finance', page('finance', finance, 'fi.title'));
router.route('/projects/:id/finance/:tab', page('finance', finance, 'fi.title'));
router.route('/review', page('review', review, 'nav.review'));
router.route('/audit', page('audit', audit, 'au.title'));
router.route('/work', page('work', work, 'nav.work'));
router.route('/my-reports', page('myreports', myreports, 'nav.myreports'));
router.route('/setup', page('setup', setup, 'su.nav'));
router.route('/setup/first-run', page('setup', firstRun, 'su.fr.title'));
router.route('/setup/:section', page('setup', setup, 'su.nav'));
router.fallback(() => {
  currentPage = null;
  renderNav();
  const el = freshContainer(t('app.notFound'));
  el.append(h('h1', t('app.notFoundH')), h('p', h('a', { href: `#${homeFor(session.user)}` }, t('app.goHome'))));
});

session.onUnauthorized(() => {
  if (!session.token) return;
  session.clear();
  reviewCount = null;
  const { path } = router.current();
  router.navigate(`/signin?expired=1&next=${encodeURIComponent(path)}`);
});

// The skip link must not change the hash (that is the router's): move focus instead.
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  const main = document.getElementById('main');
  main.focus();
  main.scrollIntoView();
});

// ---- languages ---------------------------------------------------------------------

/** The texts of index.html that are not part of a page. */
function shellTexts() {
  i18n.applyDocumentLang();
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('brand').setAttribute('aria-label', t('app.home'));
  document.getElementById('nav').setAttribute('aria-label', t('nav.main'));
  const loading = document.querySelector('main > .loading');
  if (loading) loading.textContent = t('app.loading');
}

/** The switch in the header: DE | EN, the current one pressed. */
function renderLangSwitch() {
  const box = document.getElementById('lang-switch');
  box.setAttribute('aria-label', t('lang.label'));
  if (!box.childElementCount) {
    for (const l of i18n.LANGS) {
      box.append(h('button.btn.btn-quiet.lang-btn', {
        type: 'button', id: `lang-${l}`, lang: l, dataset: { lang: l },
        onclick: () => i18n.setLang(l),
      }, l.toUpperCase()));
    }
  }
  for (const b of box.querySelectorAll('button')) {
    const l = b.dataset.lang;
    b.setAttribute('aria-pressed', String(l === i18n.lang()));
    // the name of each language in that language, so it reads right in either
    b.setAttribute('aria-label', t(`lang.${l}Name`));
    b.title = t(`lang.${l}`);
  }
}

/** The values of the page's form controls (by id), to keep them when the page is drawn again. */
function controlValues() {
  const out = [];
  for (const el of document.querySelectorAll('main input[id], main select[id], main textarea[id]')) {
    if (el.closest('dialog') || el.type === 'file' || el.type === 'password') continue;
    out.push({ id: el.id, value: el.value, checked: el.checked, type: el.type, tag: el.tagName });
  }
  return out;
}

function restoreControls(saved) {
  for (const s of saved) {
    const el = document.getElementById(s.id);
    if (!el || el.tagName !== s.tag) continue;
    if (s.type === 'checkbox' || s.type === 'radio') {
      if (el.checked !== s.checked) { el.checked = s.checked; el.dispatchEvent(new Event('change')); }
    } else if (el.value !== s.value) {
      if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === s.value)) continue;
      el.value = s.value;
      if (el.tagName === 'SELECT') el.dispatchEvent(new Event('change'));
    }
  }
}

// Another language: draw the header and the current page again, in place: the
// route, the chosen project, filters and typed values and the scroll position
// stay; the focus stays on the switch.
let relocalizing = false;
i18n.events.addEventListener('change', async () => {
  const saved = controlValues();
  const y = window.scrollY;
  const focused = document.activeElement && document.activeElement.closest('#lang-switch') ? document.activeElement : null;
  shellTexts();
  renderLangSwitch();
  renderNav();
  relocalizing = true;
  try {
    await router.dispatch();
  } finally {
    relocalizing = false;
  }
  restoreControls(saved);
  window.scrollTo(0, y);
  if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  announce(t('lang.now'));
});

function roleName(role) {
  return i18n.has(`role.${role}`) ? t(`role.${role}`) : role;
}

shellTexts();
renderLangSwitch();
router.start();
// The service worker that lets the dashboard open offline (sw.js), once the
// page has what it needs: it fetches the whole shell.
if (document.readyState === 'complete') registerShell();
else window.addEventListener('load', registerShell, { once: true });
