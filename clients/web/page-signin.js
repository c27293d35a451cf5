// page-signin.js — sign in with email and password (POST /auth/login).

import * as api from './api.js';
import { h, field, messageBox, errorBox, showFieldErrors, clearFieldErrors } from './ui.js';
import { t } from './i18n.js';

export async function render(el, { query, onSignedIn }) {
  const email = h('input#signin-email', { name: 'email', type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input#signin-password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button.btn.btn-primary', { type: 'submit' }, t('si.button'));
  const status = h('div.form-status', { 'aria-live': 'polite' });
  const form = h('form.card.signin', { novalidate: true },
    field(t('si.email'), email),
    field(t('si.password'), password),
    button,
    status,
  );

  const notes = [];
  if (query.get('expired')) notes.push(messageBox('warn', t('err.401')));
  if (query.get('bye')) notes.push(messageBox('ok', t('si.bye')));

  el.append(
    h('div.signin-wrap',
      h('h1', t('si.h1')),
      h('p.lead', t('si.lead')),
      notes,
      form,
    ),
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    if (!email.value.trim() || !password.value) {
      status.append(messageBox('error', t('si.missing')));
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t('si.signingIn');
    try {
      const user = await api.login(email.value.trim(), password.value);
      await onSignedIn(user);
    } catch (err) {
      button.disabled = false;
      button.textContent = t('si.button');
      if (err.status === 401 || err.status === 403) {
        status.append(messageBox('error', t('si.wrong')));
        password.select();
        password.focus();
      } else if (err.status === 422) {
        const rest = showFieldErrors(form, err);
        status.append(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
      } else {
        status.append(errorBox(err, 'what.signin'));
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
      button.textContent = t('si.button');
      return;
    }
    button.textContent = t('si.wait', { n: left });
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
