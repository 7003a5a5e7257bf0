import type { z } from 'zod';

/** Values a state hands to the request (`fromProviderState('Bearer ${token}', ...)` reads `token`). */
export type ProviderStateValues = Record<string, string | number | boolean>;

/** Sets one provider state up from its parameters. */
export type StateSetup = (params: unknown) => Promise<ProviderStateValues | undefined>;

/** A slice's provider states by name (the sentences in provider-states.ts). */
export type StateHandlers = Record<string, StateSetup>;

/** State parameters come from the pact; a pact that does not carry what a state needs is a broken pact, said loudly. */
export function stateParams<S extends z.ZodType>(state: string, schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`).join('; ');
    throw new Error(`provider state "${state}": invalid parameters ${JSON.stringify(params)}: ${problems}`);
  }
  return result.data;
}
