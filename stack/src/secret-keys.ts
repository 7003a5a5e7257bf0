/**
 * Keys of the launcher's secrets file (<STACK_DIR>/secrets.json) that other tools read: the CLI finds the admin
 * token the stack created under ADMIN_TOKEN_SECRET_KEY. The launcher owns the file and its keys.
 */
export const ADMIN_TOKEN_SECRET_KEY = 'unleash.adminToken';
export const CLIENT_TOKEN_SECRET_KEY = 'unleash.clientToken';

/** What to tell someone whose Unleash admin token was refused. */
export const ADMIN_TOKEN_HINT = `Use the admin token the stack created (${ADMIN_TOKEN_SECRET_KEY} in <STACK_DIR>/secrets.json), or set UNLEASH_ADMIN_TOKEN.`;
