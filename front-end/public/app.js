// The test page: each button posts its payload to the broker and shows what came back.
(() => {
  'use strict';

  const brokerUrl = document.body.dataset.brokerUrl;
  const tracesUrl = document.body.dataset.tracesUrl;
  const output = document.getElementById('output');
  const sent = document.getElementById('payload');
  const received = document.getElementById('received');
  const traceLink = document.getElementById('trace-link');
  let outputStarted = false;

  // One line per reply, naming the button it answers, written as text so a message can never inject markup.
  function addLine(button, label, message, isError) {
    if (!outputStarted) {
      output.replaceChildren();
      outputStarted = true;
    }
    const line = document.createElement('div');
    line.className = isError ? 'line text-danger' : 'line';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = '[' + button + '] ';
    const strong = document.createElement('strong');
    strong.textContent = label;
    line.append(who, strong, ': ' + message);
    output.append(line);
  }

  // What was sent, as indented JSON, with every password masked: the page may be on a shared screen.
  function showSent(payload) {
    sent.textContent = JSON.stringify(payload, (key, value) => (key === 'password' && typeof value === 'string' ? '********' : value), 4);
  }

  // The trace of the last reply in Jaeger's API, when tracing is on (the reply names its trace) and the page knows where Jaeger is.
  function showTrace(response) {
    const traceId = response && response.headers.get('X-Trace-Id');
    if (!traceLink) return;
    traceLink.hidden = !(traceId && tracesUrl);
    if (!traceLink.hidden) traceLink.href = tracesUrl + '/api/traces/' + encodeURIComponent(traceId);
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
  // "Not yet" is a 200 with sent false, so the asking shows no failed request in the console.
  async function watchWelcomeMail(button, eventId, email) {
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      try {
        const reply = await post('/handle', { action: 'welcome', welcome: { event_id: eventId } }, 5000);
        if (!reply.error && reply.data && reply.data.sent) {
          addLine(button, 'Response from broker service', reply.message, false);
          return;
        }
      } catch {
        // the broker is away for a moment: ask again
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    addLine(button, 'Error', 'no welcome mail to ' + email + ' after a minute: it goes out once the mail server is back', true);
  }

  async function send(button, path, payload) {
    const options = { method: 'POST', signal: AbortSignal.timeout(15000) };
    if (payload === undefined) {
      sent.textContent = 'empty post request';
    } else {
      options.headers = { 'Content-Type': 'application/json' };
      options.body = JSON.stringify(payload);
      showSent(payload);
    }

    let reply;
    try {
      const response = await fetch(brokerUrl + path, options);
      showTrace(response);
      reply = await response.json();
    } catch (err) {
      const reason = err && err.name === 'TimeoutError' ? 'did not answer in time' : 'is unreachable';
      received.textContent = String(err);
      showTrace(undefined);
      addLine(button, 'Error', 'broker-service ' + reason + ' at ' + brokerUrl, true);
      return;
    }

    received.textContent = JSON.stringify(reply, undefined, 4);
    if (reply.error) addLine(button, 'Error', reply.message, true);
    else addLine(button, 'Response from broker service', reply.message, false);
    if (!reply.error && payload && payload.action === 'register' && reply.data && reply.data.event_id) {
      void watchWelcomeMail(button, reply.data.event_id, reply.data.email);
    }
  }

  for (const button of document.querySelectorAll('button[data-path]')) {
    button.addEventListener('click', () => {
      const payload = button.dataset.payload ? JSON.parse(button.dataset.payload) : undefined;
      if (button.dataset.uniqueEmail) payload.register.email = uniqueEmail();
      void send(button.textContent.trim(), button.dataset.path, payload);
    });
  }
})();
