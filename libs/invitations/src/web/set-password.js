// The set-password page for invitations and password resets. The ticket lives in the URL fragment,
// which browsers never send to a server or put in a Referer header; this script posts it in a body.
(function () {
  'use strict';
  const mode = document.body.dataset.mode; // "invitation" or "password-reset"
  const $ = (id) => document.getElementById(id);
  const ticket = new URLSearchParams(window.location.hash.slice(1)).get('ticket');
  // Forget the fragment: the ticket should not stay in the address bar or the history.
  history.replaceState(null, '', window.location.pathname);

  function show(message) {
    $('status').textContent = message;
    $('form').hidden = true;
  }

  async function post(path, body) {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let json = {};
    try {
      json = await response.json();
    } catch (_) {
      json = {};
    }
    return { ok: response.ok, status: response.status, body: json };
  }

  // Whom to ask for a new invitation: the inspect answer names the inviter and the application, when known.
  function renewal(info) {
    const who = info.inviter || 'the person who invited you';
    const to = info.application ? ' to ' + info.application : '';
    return 'Ask ' + who + ' to send you a new invitation' + to + '.';
  }

  // Where the invitation leads once the password is set; only an http(s) address becomes a link.
  function offerContinue(redirectUrl, application) {
    let url;
    try {
      url = new URL(redirectUrl);
    } catch (_) {
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
    const link = $('continue');
    link.href = url.href;
    link.textContent = 'Continue to ' + (application || url.host);
    link.hidden = false;
  }

  function bytes(text) {
    return new TextEncoder().encode(text).length;
  }

  async function start() {
    if (!ticket) return show('This link is incomplete. Open the link from your message again.');
    let inspection;
    try {
      inspection = await post('/api/v1/invitations/inspect', { ticket });
    } catch (_) {
      return show('The service cannot be reached right now. Try again in a moment.');
    }
    const info = inspection.body;
    if (!inspection.ok) return show('This link cannot be checked right now. Try again in a moment.');
    if (!info.usable || info.kind !== mode) {
      show(info.message || 'This link is not valid.');
      if (mode === 'invitation' && info.kind === mode && (info.reason === 'expired' || info.reason === 'revoked')) {
        $('renew').textContent = renewal(info);
        $('renew').hidden = false;
      }
      return;
    }
    $('status').textContent = '';
    $('greeting').textContent = 'Hello ' + (info.name || info.login) + ', choose your password.';
    $('login').textContent = info.login;
    $('form').hidden = false;
    $('password').focus();

    $('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const password = $('password').value;
      const error = $('error');
      error.textContent = '';
      if (password !== $('confirmation').value) return (error.textContent = 'The two passwords differ.');
      if ([...password].length < 8) return (error.textContent = 'The password needs at least 8 characters.');
      if (bytes(password) > 72) return (error.textContent = 'The password is too long (at most 72 bytes).');
      if (password.toLowerCase() === String(info.login).toLowerCase()) return (error.textContent = 'The password must not be your login.');
      $('submit').disabled = true;
      const path = mode === 'invitation' ? '/api/v1/invitations/accept' : '/api/v1/auth/password-reset/confirm';
      let result;
      try {
        result = await post(path, { ticket, password });
      } catch (_) {
        $('submit').disabled = false;
        return (error.textContent = 'The service cannot be reached right now. Try again in a moment.');
      }
      if (result.ok) {
        $('form').hidden = true;
        $('status').textContent = '';
        $('done').hidden = false;
        $('done').textContent = 'Your password is set. You can now log in as ' + info.login + ' at ' + window.location.origin + '.';
        if (result.body && typeof result.body.redirectUrl === 'string') offerContinue(result.body.redirectUrl, info.application);
        return;
      }
      $('submit').disabled = false;
      error.textContent = (result.body && result.body.detail) || 'The password could not be set.';
    });
  }

  start();
})();
