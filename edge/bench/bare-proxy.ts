// The baseline: node:http + http-proxy over a keep-alive agent and nothing else (no routing, sticky key, flags,
// header rules, metrics). argv: <port> <target URL>.
import http from 'node:http';
import httpProxy from 'http-proxy';

const [port, target] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent });

http
  .createServer((req, res) =>
    proxy.web(req, res, {}, () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }),
  )
  .listen(Number(port), '127.0.0.1');
