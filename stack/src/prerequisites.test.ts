import { describe, expect, it } from 'vitest';
import { describeMissingPrerequisites, executablePrerequisite, nodeVersionPrerequisite } from './prerequisites.js';

const APT = 'apt-get update && apt-get install -y mariadb-server';

describe('prerequisites', () => {
  it('says nothing when everything is there', () => {
    expect(describeMissingPrerequisites([executablePrerequisite('sh', ['sh'], 'apt-get install -y dash'), nodeVersionPrerequisite(20, '20.11.1')])).toBeUndefined();
  });

  it('lists what is missing and exactly how to install it, each command once', () => {
    const message = describeMissingPrerequisites([
      executablePrerequisite('mariadbd (MariaDB server)', ['no-such-mariadbd-xyz'], APT),
      executablePrerequisite('mariadb-install-db', ['no-such-install-db-xyz'], APT),
      nodeVersionPrerequisite(20, '18.19.0'),
    ]);
    expect(message).toBe(
      [
        'Missing prerequisites:',
        '  ✖ mariadbd (MariaDB server): not found (looked for no-such-mariadbd-xyz)',
        '  ✖ mariadb-install-db: not found (looked for no-such-install-db-xyz)',
        '  ✖ node >= 20: found 18.19.0',
        'Install them with:',
        `    ${APT}`,
        '    install Node.js 20 or newer (https://nodejs.org/en/download, or: nvm install 20)',
      ].join('\n'),
    );
  });

  it('is satisfied by any one of the alternative executables', () => {
    expect(executablePrerequisite('a shell', ['no-such-shell-xyz', 'sh'], 'x').problem()).toBeUndefined();
  });
});
