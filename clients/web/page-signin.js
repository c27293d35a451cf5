// page-signin.js — sign in with email and password (POST /auth/login).

import * as api from './api.js';
import { h, field, messageBox, errorBox, showFieldErrors, clearFieldErrors } from './ui.js';

export async function render(el, { query, onSignedIn }) {
  const email = h('input#signin-email', { name: 'email', type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input#signin-password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button.btn.btn-primary', { type: 'submit' }, 'Sign in');
  const status = h('div.form-status', { 'aria-live': 'polite' });
  const form = h('form.card.signin', { novalidate: true },
    field('Email', email),
    field('Password', password),
    button,
    status,
  );

  const notes = [];
  if (query.get('expired')) notes.push(messageBox('warn', 'Your session has ended. Please sign in again.'));
  if (query.get('bye')) notes.push(messageBox('ok', 'You are signed out. See you soon.'));

  el.append(
    h('div.signin-wrap',
      h('h1', 'Sign in to fibertrack'),
      h('p.lead', 'Track the fiber rollout: segments, premises, milestones, progress reports and funding reports.'),
      notes,
      form,
    ),
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    if (!email.value.trim() || !password.value) {
      status.append(messageBox('error', 'Please enter your email address and your password.'));
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const user = await api.login(email.value.trim(), password.value);
      await onSignedIn(user);
    } catch (err) {
      button.disabled = false;
      button.textContent = 'Sign in';
      if (err.status === 401 || err.status === 403) {
        status.append(messageBox('error', 'The email address or the password is not right (or the account is disabled).'));
        password.select();
        password.focus();
      } else if (err.status === 422) {
        const rest = showFieldErrors(form, err);
        status.append(messageBox('error', ['Please correct the highlighted fields.', ...rest].join(' ')));
      } else {
        status.append(errorBox(err, 'the sign-in service'));
        if (err.status === 429 && err.retryAfter) countdown(button, err.retryAfter);
      }
    }
  });
  email.focus();
}

/** Keeps the button disabled while the server asks to wait (429 Retry-After). */
function countdown(button, seconds) {
  let left = seconds;
  button.disabled = true;
  const tick = () => {
    if (!button.isConnected) return;
    if (left <= 0) {
      button.disabled = false;
      button.textContent = 'Sign in';
      return;
    }
    button.textContent = `Sign in (wait ${left} s)`;
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
