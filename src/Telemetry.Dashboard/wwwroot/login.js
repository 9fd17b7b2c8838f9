// Sign-in page of the ingest-served dashboard: POST /api/session {user, password} as JSON; 200 sets the session
// cookie (HttpOnly) and opens the plant; 401 and 429 show the server's message (the same for an unknown user and a
// wrong password). Plain form semantics: Tab moves between fields, Enter submits.
'use strict';

(function () {
  const form = document.getElementById('signin');
  const user = document.getElementById('user');
  const password = document.getElementById('password');
  const error = document.getElementById('error');
  const submit = document.getElementById('submit');

  function showError(text, field) {
    error.textContent = text;
    error.hidden = false;
    for (const f of [user, password]) f.setAttribute('aria-invalid', String(f === field || field === 'both'));
    const target = field === 'both' ? password : field;
    if (target) { target.focus(); target.select(); }
  }

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!user.value.trim()) { showError('Enter your user name.', user); return; }
    if (!password.value) { showError('Enter your password.', password); return; }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const res = await fetch('/api/session', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: user.value.trim(), password: password.value }),
        cache: 'no-store',
      });
      if (res.ok) { location.replace('/'); return; }
      let message = `Sign-in failed (HTTP ${res.status}).`;
      try { const body = await res.json(); if (body.message) message = body.message; } catch { /* not JSON */ }
      password.value = '';
      showError(message, 'both');
    } catch (err) {
      showError(`The server could not be reached: ${err.message}`, null);
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
})();
