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
  }

  for (const button of document.querySelectorAll('button[data-path]')) {
    button.addEventListener('click', () => {
      const payload = button.dataset.payload ? JSON.parse(button.dataset.payload) : undefined;
      void send(button.dataset.path, payload);
    });
  }
})();
