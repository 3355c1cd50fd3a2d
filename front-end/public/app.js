// The test page: each button posts its payload to the broker and shows what came back.
(() => {
  'use strict';

  const brokerUrl = document.body.dataset.brokerUrl;
  const output = document.getElementById('output');
  const sent = document.getElementById('payload');
  const received = document.getElementById('received');
  let outputStarted = false;

  // One line per reply, written as text so a message can never inject markup.
  function addLine(label, message, isError) {
    if (!outputStarted) {
      output.replaceChildren();
      outputStarted = true;
    }
    const line = document.createElement('div');
    line.className = isError ? 'line text-danger' : 'line';
    const strong = document.createElement('strong');
    strong.textContent = label;
    line.append(strong, ': ' + message);
    output.append(line);
  }

  // A new address on every click: user-<time>-<random>@example.com.
  function uniqueEmail() {
    return 'user-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8) + '@example.com';
  }

  async function post(path, payload, timeoutMs) {
    const response = await fetch(brokerUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.json();
  }

  // After a sign-up, asks the broker every half second whether its welcome mail has gone out; a second line says when.
  async function watchWelcomeMail(eventId, email) {
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      try {
        const reply = await post('/handle', { action: 'welcome', welcome: { event_id: eventId } }, 5000);
        if (!reply.error) {
          addLine('Response from broker service', reply.message, false);
          return;
        }
      } catch {
        // the broker is away for a moment: ask again
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    addLine('Error', 'no welcome mail to ' + email + ' after a minute: it goes out once the mail server is back', true);
  }

  async function send(path, payload) {
    const options = { method: 'POST', signal: AbortSignal.timeout(15000) };
    if (payload === undefined) {
      sent.textContent = 'empty post request';
    } else {
      options.headers = { 'Content-Type': 'application/json' };
      options.body = JSON.stringify(payload);
      sent.textContent = JSON.stringify(payload, undefined, 4);
    }

    let reply;
    try {
      const response = await fetch(brokerUrl + path, options);
      reply = await response.json();
    } catch (err) {
      const reason = err && err.name === 'TimeoutError' ? 'did not answer in time' : 'is unreachable';
      received.textContent = String(err);
      addLine('Error', 'broker-service ' + reason + ' at ' + brokerUrl, true);
      return;
    }

    received.textContent = JSON.stringify(reply, undefined, 4);
    if (reply.error) addLine('Error', reply.message, true);
    else addLine('Response from broker service', reply.message, false);
    if (!reply.error && payload && payload.action === 'register' && reply.data && reply.data.event_id) {
      void watchWelcomeMail(reply.data.event_id, reply.data.email);
    }
  }

  for (const button of document.querySelectorAll('button[data-path]')) {
    button.addEventListener('click', () => {
      const payload = button.dataset.payload ? JSON.parse(button.dataset.payload) : undefined;
      if (button.dataset.uniqueEmail) payload.register.email = uniqueEmail();
      void send(button.dataset.path, payload);
    });
  }
})();
