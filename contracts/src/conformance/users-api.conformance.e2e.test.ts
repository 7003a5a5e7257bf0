import { buildUsersApi, implementationsOf } from './implementations.js';
import { describeUsersApiConformance } from './users-api.conformance.js';

// One suite, every implementation of the users slice: legacy (the reference) and the users service.
for (const implementation of implementationsOf('users-api')) describeUsersApiConformance(implementation, () => buildUsersApi(implementation));
