import { badRequest } from './http';
import { validateActor, type Agent, type Group, type Statement } from './validation';

/**
 * Who and what a statement names, as the strings the LRS stores and filters on.
 *
 * An Agent or identified Group is known by its inverse functional identifier (Data 2.4.2.3); two
 * objects are the same agent when that identifier is equal. As one string:
 *   mbox:mailto:<local part>@<domain>   (the domain in lower case: only it is case-insensitive, Data 2.3.1.b7)
 *   mbox_sha1sum:<40 hex digits>        (lower case)
 *   openid:<URI>                        (as sent: IRIs compare as strings)
 *   account:<homePage>|<name>           (as sent; "|" cannot occur in an IRI, so the split is unambiguous)
 */

/** `agent`'s identifier; null for an anonymous Group, which has none (Data 2.4.2.2.s3.b1). */
export function agentIdentifier(agent: Agent | Group): string | null {
  if (typeof agent.mbox === 'string') return `mbox:${normalizedMbox(agent.mbox)}`;
  if (typeof agent.mbox_sha1sum === 'string') return `mbox_sha1sum:${agent.mbox_sha1sum.toLowerCase()}`;
  if (typeof agent.openid === 'string') return `openid:${agent.openid}`;
  if (agent.account) return `account:${agent.account.homePage}|${agent.account.name}`;
  return null;
}

/** "mailto:" in lower case, the local part as sent, the domain in lower case. */
export function normalizedMbox(mbox: string): string {
  const at = mbox.lastIndexOf('@');
  return `mailto:${mbox.slice('mailto:'.length, at)}@${mbox.slice(at + 1).toLowerCase()}`;
}

/**
 * The `agent` parameter of GET statements, the State, Agents and Agent Profile resources: the JSON of
 * an Agent or identified Group, validated like the same object in a statement (Data 2.2.s4.b4).
 * An anonymous Group cannot be looked up and is refused. Failures are 400 naming the parameter.
 */
export function parseAgentParam(json: string, param: string): Agent | Group {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw badRequest(`${param}: must be the JSON of an Agent (for example {"mbox":"mailto:learner@example.com"})`, { parameter: param });
  }
  validateActor(value, param);
  const agent = value as Agent | Group;
  if (agentIdentifier(agent) === null) throw badRequest(`${param}: an anonymous Group has no identifier to look up; give an Agent or an identified Group`, { parameter: param });
  return agent;
}

/**
 * Every agent a statement names, once each. `related` is false for what the `agent` filter matches
 * (Communication 2.1.3): the actor and an Agent/Group object, including the members of such a
 * group ("Groups that have members which match the specified Agent … are considered a match").
 * It is true for what `related_agents` adds: authority, instructor, team, the xAPI 2.0 contextAgents
 * and contextGroups, and all of these in a SubStatement. A related_agents query therefore matches
 * any row; a plain agent query only rows with related = false. An agent in both kinds of place is
 * listed once, as not related. Anonymous groups contribute their members only.
 */
export function statementAgents(statement: Statement): { identifier: string; related: boolean }[] {
  const found = new Map<string, boolean>();
  const add = (actor: unknown, related: boolean) => {
    for (const identifier of identifiersIn(actor)) {
      const before = found.get(identifier);
      found.set(identifier, before === undefined ? related : before && related);
    }
  };
  add(statement.actor, false);
  if (isAgentOrGroup(statement.object)) add(statement.object, false);
  add(statement.authority, true);
  addContextAgents(statement.context, (actor) => add(actor, true));
  const sub = statement.object;
  if (sub?.objectType === 'SubStatement') {
    add(sub.actor, true);
    if (isAgentOrGroup(sub.object)) add(sub.object, true);
    addContextAgents(sub.context, (actor) => add(actor, true));
  }
  return [...found].map(([identifier, related]) => ({ identifier, related }));
}

/**
 * Every activity a statement names, once each: the object (related false, what `activity`
 * matches) and the context activities and everything in a SubStatement (related true, what
 * `related_activities` adds). An activity in both kinds of place is listed once, as not related.
 */
export function statementActivities(statement: Statement): { id: string; related: boolean }[] {
  const found = new Map<string, boolean>();
  const add = (id: unknown, related: boolean) => {
    if (typeof id !== 'string') return;
    const before = found.get(id);
    found.set(id, before === undefined ? related : before && related);
  };
  if (isActivity(statement.object)) add(statement.object.id, false);
  for (const activity of contextActivitiesOf(statement.context)) add(activity?.id, true);
  const sub = statement.object;
  if (sub?.objectType === 'SubStatement') {
    if (isActivity(sub.object)) add(sub.object.id, true);
    for (const activity of contextActivitiesOf(sub.context)) add(activity?.id, true);
  }
  return [...found].map(([id, related]) => ({ id, related }));
}

function identifiersIn(actor: unknown): string[] {
  if (!actor || typeof actor !== 'object') return [];
  const a = actor as Agent | Group;
  const own = agentIdentifier(a);
  const members = a.objectType === 'Group' && Array.isArray(a.member) ? a.member.map(agentIdentifier) : [];
  return [own, ...members].filter((identifier): identifier is string => identifier !== null);
}

function addContextAgents(context: Statement['context'], add: (actor: unknown) => void): void {
  if (!context) return;
  add(context.instructor);
  add(context.team);
  for (const entry of Array.isArray(context.contextAgents) ? context.contextAgents : []) add(entry?.agent);
  for (const entry of Array.isArray(context.contextGroups) ? context.contextGroups : []) add(entry?.group);
}

function contextActivitiesOf(context: Statement['context']): any[] {
  const ca = context?.contextActivities;
  if (!ca || typeof ca !== 'object') return [];
  return Object.values(ca).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function isAgentOrGroup(object: unknown): boolean {
  const type = (object as { objectType?: unknown } | undefined)?.objectType;
  return type === 'Agent' || type === 'Group';
}

function isActivity(object: unknown): object is { id: string } {
  if (!object || typeof object !== 'object') return false;
  const type = (object as { objectType?: unknown }).objectType;
  return type === undefined || type === 'Activity';
}
