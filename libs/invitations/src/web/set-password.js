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

  // What to do when a link cannot be used: who renews an invitation, where a reset is asked for again.
  function nextStep(info) {
    if (mode === 'password-reset') return 'Ask for a new link from the sign-in screen of your app ("Forgot your password?").';
    if (info.reason === 'expired' || info.reason === 'revoked') return renewal(info);
    if (info.reason === 'used')
      return (
        'If you set your password with this link, log in with it. Otherwise, ' +
        renewal(info).charAt(0).toLowerCase() +
        renewal(info).slice(1)
      );
    return 'Open the whole link from your message again, or ' + renewal(info).charAt(0).toLowerCase() + renewal(info).slice(1);
  }

  // A refused value: the field says so to assistive technology and takes the focus, so the message is read next to it.
  function refuse(field, message) {
    $('error').textContent = message;
    if (!field) return;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
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
    if (!ticket) {
      show('This link is incomplete. Open the link from your message again.');
      $('renew').textContent = nextStep({ reason: 'unknown' });
      $('renew').hidden = false;
      return;
    }
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
      $('renew').textContent = nextStep(info);
      $('renew').hidden = false;
      return;
    }
    $('status').textContent = '';
    $('greeting').textContent = 'Hello ' + (info.name || info.login) + ', choose your password.';
    $('login').textContent = info.login;
    $('username').value = info.login;
    $('form').hidden = false;
    $('password').focus();

    $('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const password = $('password').value;
      $('error').textContent = '';
      $('password').removeAttribute('aria-invalid');
      $('confirmation').removeAttribute('aria-invalid');
      if ([...password].length < 8) return refuse($('password'), 'The password needs at least 8 characters.');
      if (bytes(password) > 72) return refuse($('password'), 'The password is too long (at most 72 bytes).');
      if (password.toLowerCase() === String(info.login).toLowerCase()) return refuse($('password'), 'The password must not be your login.');
      if (password !== $('confirmation').value) return refuse($('confirmation'), 'The two passwords differ.');
      $('submit').disabled = true;
      const path = mode === 'invitation' ? '/api/v1/invitations/accept' : '/api/v1/auth/password-reset/confirm';
      let result;
      try {
        result = await post(path, { ticket, password });
      } catch (_) {
        $('submit').disabled = false;
        return refuse(null, 'The service cannot be reached right now. Try again in a moment.');
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
      refuse($('password'), (result.body && result.body.detail) || 'The password could not be set.');
    });
  }

  start();
})();
