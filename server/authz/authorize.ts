import { AppError } from '../../shared/errors';
import type { Actor } from './actor';
import { can, type Action, type Decision, type ResourceOf } from './can';

/** can(), for code that stops on "no": throws FORBIDDEN carrying the reason. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: ResourceOf<A>): Decision {
  const decision = can(actor, action, resource);
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
  return decision;
}
