// The bench's baseline: Node's HTTP server and nothing else, answering what the broker's POST / answers.
import { createServer } from 'node:http';
import process from 'node:process';

const body = JSON.stringify({ error: false, message: 'Hit the broker' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
