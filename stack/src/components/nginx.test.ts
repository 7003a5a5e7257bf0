import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, REPO_ROOT } from '../config.js';
import { stackPaths, type StackContext } from '../context.js';
import { NGINX_INSTALL_HINT, nginxFrontDoor, nginxTemplateValues, renderNginxConfig } from './nginx.js';

const template = readFileSync(join(REPO_ROOT, 'nginx', 'nginx.conf.template'), 'utf8');
const prefix = '/srv/stack dir/nginx';
const instance = { prefix, port: 18080, edge: '127.0.0.1:18000', legacy: '127.0.0.1:13000' };

/** The arguments of every occurrence of a directive (comments stripped). */
function directives(config: string, name: string): string[] {
  const code = config.replace(/#.*$/gm, '');
  return [...code.matchAll(new RegExp(`^\\s*${name}\\s+([^;]*);`, 'gm'))].map((match) => (match[1] as string).trim());
}

describe('nginx.conf.template', () => {
  const rendered = renderNginxConfig(template, nginxTemplateValues(instance, false));

  it('renders with every placeholder replaced', () => {
    expect(template).toMatch(/\{\{[A-Z_]+\}\}/);
    expect(rendered).not.toMatch(/\{\{/);
  });

  it('listens on 127.0.0.1 only, on the given port', () => {
    expect(directives(rendered, 'listen')).toEqual(['127.0.0.1:18080 default_server']);
  });

  it('writes every file (pid, lock, logs, temp files) inside the prefix, never in /var', () => {
    const paths = [
      'pid',
      'lock_file',
      'error_log',
      'access_log',
      'client_body_temp_path',
      'proxy_temp_path',
      'fastcgi_temp_path',
      'uwsgi_temp_path',
      'scgi_temp_path',
    ].flatMap((name) => {
      const found = directives(rendered, name).filter((args) => args !== 'off');
      expect(found, name).not.toHaveLength(0);
      return found;
    });
    for (const args of paths) expect(args.startsWith(`"${prefix}/`), args).toBe(true);
    expect(rendered.replace(/#.*$/gm, '')).not.toMatch(/\/var\/|\/etc\/nginx|\binclude\b/);
  });

  it('runs in the foreground, as root only when the launcher is root', () => {
    expect(directives(rendered, 'daemon')).toEqual(['off']);
    expect(directives(rendered, 'user')).toEqual([]);
    expect(directives(renderNginxConfig(template, nginxTemplateValues(instance, true)), 'user')).toEqual(['root']);
  });

  it('proxies to the edge with legacy as backup and keep-alive upstream connections', () => {
    expect(rendered).toMatch(/upstream edge \{[^}]*server 127\.0\.0\.1:18000 max_fails=\d+ fail_timeout=\d+s;[^}]*server 127\.0\.0\.1:13000 backup max_fails=0;[^}]*keepalive \d+;/);
    expect(directives(rendered, 'proxy_pass')).toEqual(['http://edge']);
    expect(directives(rendered, 'proxy_http_version')).toEqual(['1.1']);
    expect(directives(rendered, 'proxy_set_header')).toContain('Connection ""');
    // Non-idempotent requests that reached the edge must never be replayed on legacy.
    expect(directives(rendered, 'proxy_next_upstream')).toEqual(['error timeout']);
    expect(directives(rendered, 'server_tokens')).toEqual(['off']);
  });

  it('refuses a placeholder without a value, and values that would break out of their directive', () => {
    expect(() => renderNginxConfig('listen 127.0.0.1:{{NGINX_PORT}}; pid {{PID}};', { NGINX_PORT: '1' })).toThrow('no value for {{PID}}');
    expect(() => nginxTemplateValues({ ...instance, prefix: '/tmp/a"; include /etc/passwd; "' })).toThrow(/cannot hold/);
    expect(() => nginxTemplateValues({ ...instance, prefix: '/tmp/$host' })).toThrow(/cannot hold/);
    expect(() => nginxTemplateValues({ ...instance, edge: '127.0.0.1:1; server evil:80' })).toThrow(/host:port/);
  });
});

describe('nginx component', () => {
  const config = loadStackConfig({ STACK_DIR: '/srv/stack', NGINX_PORT: '18080', EDGE_PORT: '18000' });
  const ctx: StackContext = { config, paths: stackPaths(config.stackDir), secrets: {}, baseEnv: {}, repoRoot: REPO_ROOT };

  it('defaults to the front door on 8080 in front of the edge on 8000', () => {
    expect(loadStackConfig({})).toMatchObject({ nginxPort: 8080, edgePort: 8000 });
  });

  it('claims its port, names its install command, and runs after the edge and legacy (its backup)', () => {
    expect(nginxFrontDoor.ports?.(ctx)).toEqual([{ port: 18080, env: 'NGINX_PORT' }]);
    expect(nginxFrontDoor.endpoint?.(ctx)).toBe('http://127.0.0.1:18080');
    expect(nginxFrontDoor.dependsOn).toEqual(['legacy', 'edge']);
    expect(nginxFrontDoor.prerequisites?.map((p) => p.install)).toEqual([NGINX_INSTALL_HINT]);
    expect(NGINX_INSTALL_HINT).toMatch(/^apt-get update && apt-get install -y nginx\b/);
    expect(nginxFrontDoor.logFile?.(ctx)).toBe('/srv/stack/nginx/logs/error.log');
  });
});
