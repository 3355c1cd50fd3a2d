// The second baseline: Express 5 with one route and nothing else (no request id, log line, metrics or
// body checks), served as the toolkit serves every app (its listen: the app's own request and response
// classes, the HTTP limits), answering as the broker's envelope does: what the framework alone costs.
import process from 'node:process';
import express from 'express';
import { listen } from '@go-micro/toolkit';

const body = JSON.stringify({ error: false, message: 'Hit the broker' });
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/', (_req, res) => {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(body);
});
const server = await listen(app, 0, { host: '127.0.0.1' });
process.send(server.address().port);
