// The bench's upstream: one process, one listener per port given (argv), each answering every request at once
// with a small JSON body over keep-alive. The first port plays legacy, the others the users service; `name=port`
// names a listener's backend explicitly (the freeze bench runs legacy and the service as separate processes).
import http from 'node:http';

for (const [index, arg] of process.argv.slice(2).entries()) {
  const [named, portText] = arg.includes('=') ? arg.split('=') : [index === 0 ? 'legacy' : 'users', arg];
  const backend = named ?? 'users';
  http
    .createServer((req, res) => {
      const id = (req.url ?? '').slice((req.url ?? '').lastIndexOf('/') + 1);
      const body = JSON.stringify({ id, name: `user ${id}`, backend });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })
    .listen(Number(portText), '127.0.0.1');
}
