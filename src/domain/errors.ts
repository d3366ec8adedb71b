/**
 * Named failures with a stable machine-readable code and the HTTP status they mean.
 * Rules throw them; the API's one error handler turns them into responses.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends DomainError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_request', message, details);
  }
}

export class UnsupportedMediaType extends DomainError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

export class Unauthenticated extends DomainError {
  constructor(message = 'A valid API key is required (Authorization: Bearer <key>)') {
    super(401, 'unauthenticated', message);
  }
}

export class Forbidden extends DomainError {
  constructor(scope: string) {
    super(403, 'forbidden', `This API key lacks the scope "${scope}"`, { requiredScope: scope });
  }
}

export class NotFound extends DomainError {
  constructor(entity: string, id: string) {
    super(404, 'not_found', `${entity} ${id} does not exist`, { entity, id });
  }
}

/** The request is well-formed but names something this tenant does not have. */
export class UnknownReference extends DomainError {
  constructor(entity: string, reference: unknown) {
    super(422, `unknown_${entity}`, `No ${entity} matches ${JSON.stringify(reference)}`, { [entity]: reference });
  }
}

export class Conflict extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

export class ServiceUnavailable extends DomainError {
  constructor(service: string, message: string) {
    super(503, `${service}_unavailable`, message);
  }
}

/** A create names a key (of a role, course, program) the tenant already uses, or repeats a rule. */
export class Duplicate extends DomainError {
  constructor(entity: string, message: string, details?: unknown) {
    super(409, `duplicate_${entity}`, message, details);
  }
}

/** A delete of something other records still point at: history is never cascaded away. */
export class StillInUse extends DomainError {
  constructor(entity: string, key: string, usage: Record<string, number>) {
    const uses = Object.entries(usage)
      .filter(([, count]) => count > 0)
      .map(([what, count]) => `${what}: ${count}`)
      .join(', ');
    super(409, `${entity}_in_use`, `The ${entity} "${key}" is still in use (${uses}); nothing was deleted`, { [entity]: key, usage });
  }
}

/** Program prerequisites that would lead back to where they start. */
export class CyclicPrerequisite extends DomainError {
  constructor(cycle: readonly string[]) {
    super(422, 'cyclic_prerequisite', `These prerequisites would form a cycle: ${cycle.join(' → ')}`, { cycle });
  }
}
