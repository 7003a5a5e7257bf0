// The baseline: node:http + http-proxy over a keep-alive agent and nothing else (no routing, sticky key, flags,
// header rules, metrics). argv: <port> <target URL> [workers]. With workers > 1 it forks that many processes sharing
// the port through node's cluster, as the edge does with EDGE_WORKERS, so the two compare process for process.
import cluster from 'node:cluster';
import http from 'node:http';
import httpProxy from 'http-proxy';

const [port, target, workers = '1'] = process.argv.slice(2);

if (Number(workers) > 1 && cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
} else {
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
}
