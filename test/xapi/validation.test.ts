import { XapiError } from '../../src/connectors/xapi/http';
import { agentIdentifier, parseAgentParam, statementActivities, statementAgents } from '../../src/connectors/xapi/agents';
import {
  isDuration,
  isIri,
  isLanguageTag,
  parseTimestamp,
  validateStatement,
  validateStatements,
  type XapiVersion,
} from '../../src/connectors/xapi/validation';

/**
 * What the LRS accepts as a statement (xAPI 1.0.3 Data 2.2-4.6, xAPI 2.0 where it differs): every
 * MUST of the Data part as a rule an invalid statement breaks, answered by a 400 naming the property.
 */

type Json = Record<string, any>;

const STATEMENT_ID = 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0';
const learner = { objectType: 'Agent' as const, name: 'Ada Lovelace', mbox: 'mailto:ada@example.com' };
const completed = { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } };
const course = { objectType: 'Activity', id: 'https://lms.example.com/courses/fire-safety' };

function statement(overrides: Json = {}): Json {
  return { id: STATEMENT_ID, actor: learner, verb: completed, object: course, ...overrides };
}

/** The 400 message validateStatements gives for `body`; fails the test when it is accepted. */
function rejection(body: unknown, version: XapiVersion = '1.0.3'): string {
  try {
    validateStatements(body, version);
  } catch (error) {
    if (error instanceof XapiError && error.status === 400) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

function accepted(body: unknown, version: XapiVersion = '1.0.3'): Json[] {
  return validateStatements(body, version);
}

const withActor = (actor: unknown) => statement({ actor });
const withObject = (object: unknown) => statement({ object });
const withResult = (result: unknown) => statement({ result });
const withContext = (context: unknown) => statement({ context });
const withDefinition = (definition: unknown) => withObject({ ...course, definition });

describe('Data 2.2 Formatting Requirements', () => {
  test('a statement must use actor, verb and object (2.2.s2.b3)', () => {
    const { actor: _a, ...noActor } = statement();
    const { verb: _v, ...noVerb } = statement();
    const { object: _o, ...noObject } = statement();
    expect(rejection(noActor)).toBe('statement.actor: is required');
    expect(rejection(noVerb)).toBe('statement.verb: is required');
    expect(rejection(noObject)).toBe('statement.object: is required');
  });

  test('null values are rejected anywhere except inside extensions (2.2.s4.b1.b1)', () => {
    expect(rejection(withActor({ ...learner, name: null }))).toBe('statement.actor.name: must not be null');
    expect(rejection(statement({ verb: { ...completed, display: { 'en-US': null } } }))).toBe('statement.verb.display["en-US"]: must not be null');
    expect(rejection(withContext({ registration: null }))).toBe('statement.context.registration: must not be null');
    expect(rejection(withDefinition({ moreInfo: null }))).toBe('statement.object.definition.moreInfo: must not be null');
    expect(rejection(statement({ result: null }))).toBe('statement.result: must not be null');
    expect(rejection(withResult({ extensions: null }))).toBe('statement.result.extensions: must not be null');
    const nullInExtensions = { extensions: { 'http://example.com/null': null } };
    accepted(withResult(nullInExtensions));
    accepted(withContext(nullInExtensions));
    accepted(withDefinition(nullInExtensions));
  });

  test('strings where numbers or booleans are required are rejected, even when they read as one (2.2.s4.b1.b2, b3)', () => {
    expect(rejection(withResult({ score: { max: '100' } }))).toBe('statement.result.score.max: must be a number (not a string)');
    expect(rejection(withResult({ score: { scaled: 'one' } }))).toBe('statement.result.score.scaled: must be a number (not a string)');
    expect(rejection(withResult({ success: 'true' }))).toBe('statement.result.success: must be true or false (not a string)');
    expect(rejection(withResult({ completion: 'false' }))).toBe('statement.result.completion: must be true or false (not a string)');
  });

  test('a value that must follow a format is rejected when it does not, the empty string included (2.2.s4.b1.b4)', () => {
    expect(rejection(statement({ id: '' }))).toBe('statement.id: must be a UUID in standard form (8-4-4-4-12 hex digits)');
    expect(rejection(statement({ verb: { id: '' } }))).toBe('statement.verb.id: must be an IRI with a scheme, such as https://example.com/…');
    expect(rejection(withActor({ mbox: '' }))).toBe('statement.actor.mbox: must be a mailto: IRI of an email address');
    expect(rejection(withContext({ registration: 'not-a-uuid' }))).toBe('statement.context.registration: must be a UUID in standard form (8-4-4-4-12 hex digits)');
  });

  test('a key in another case than the specification gives is an unknown property (2.2.s4.b1.b5)', () => {
    const { actor, ...rest } = statement();
    expect(rejection({ ...rest, Actor: actor })).toBe('statement.Actor: is not a property of a Statement');
    expect(rejection(statement({ iD: STATEMENT_ID }))).toBe('statement.iD: is not a property of a Statement');
    expect(rejection(statement({ Version: '1.0.3' }))).toBe('statement.Version: is not a property of a Statement');
    expect(rejection(statement({ verb: { ID: completed.id } }))).toBe('statement.verb.ID: is not a property of a Verb');
  });

  test('an enumerated value in another case is rejected (2.2.s4.b1.b6)', () => {
    expect(rejection(withDefinition({ interactionType: 'Other' }))).toMatch(/^statement\.object\.definition\.interactionType: must be one of true-false, choice, /);
    expect(rejection(withActor({ ...learner, objectType: 'agent' }))).toBe('statement.actor.objectType: must be "Agent" or "Group"');
    expect(rejection(withObject({ objectType: 'statementref', id: STATEMENT_ID }))).toMatch(/^statement\.object\.objectType: must be "Activity", /);
  });

  test('a key or value the specification does not allow is rejected, at any depth (2.2.s4.b1.b7)', () => {
    expect(rejection(statement({ comment: 'nice' }))).toBe('statement.comment: is not a property of a Statement');
    expect(rejection(withActor({ ...learner, age: 42 }))).toBe('statement.actor.age: is not a property of an Agent');
    expect(rejection(withResult({ score: { scaled: 0.5, percent: 50 } }))).toBe('statement.result.score.percent: is not a property of a Score');
    expect(rejection(withContext({ contextActivities: { parent: [{ id: course.id, title: 'x' }] } }))).toBe(
      'statement.context.contextActivities.parent[0].title: is not a property of an Activity',
    );
    // Extensions hold anything their IRI's owner defines.
    accepted(withResult({ extensions: { 'https://example.com/ext/anything': { nested: [1, { deep: true }] } } }));
  });

  test('IRI and IRL values without a scheme are rejected (2.2.s4.b1.b8)', () => {
    expect(rejection(withObject({ id: 'courses/fire-safety' }))).toBe('statement.object.id: must be an IRI with a scheme, such as https://example.com/…');
    expect(rejection(withObject({ id: 'ab=c://should.fail.com' }))).toMatch(/^statement\.object\.id: must be an IRI/);
    expect(rejection(withDefinition({ moreInfo: '//example.com/info' }))).toMatch(/^statement\.object\.definition\.moreInfo: must be an IRL/);
  });

  test('language map keys must be RFC 5646 tags: the sequence of subtag lengths is checked (2.2.s4.b2, 4.2)', () => {
    const wellFormed = ['de', 'ine', 'zh-Hant', 'sr-Latn-RS', 'zh-cmn-Hans-CN', 'sl-rozaj-biske', 'de-CH-1901', 'hy-Latn-IT-arevela', 'es-419', 'az-Arab-x-AZE-derbend', 'x-whatever', 'i-enochian', 'en-GB-oed'];
    const malformed = ['de-419-DE', 'a-DE', 'ar-a-aaa-b-bbb-a-ccc', 'zh-z-aaa-z-bbb-c-ccc', 'something', 'a12345', 'en_US', 'en-', '', 'de-1901-1901'];
    for (const tag of wellFormed) expect([tag, isLanguageTag(tag)]).toEqual([tag, true]);
    for (const tag of malformed) expect([tag, isLanguageTag(tag)]).toEqual([tag, false]);
    expect(rejection(statement({ verb: { ...completed, display: { 'de-419-DE': 'besucht' } } }))).toBe('statement.verb.display: "de-419-DE" is not an RFC 5646 language tag');
  });

  test('a language map has at least one entry and its values are strings (4.2)', () => {
    expect(rejection(statement({ verb: { ...completed, display: {} } }))).toBe('statement.verb.display: a language map needs at least one entry');
    expect(rejection(statement({ verb: { ...completed, display: 'completed' } }))).toBe('statement.verb.display: must be a language map (an object of language tag → text)');
    expect(rejection(withDefinition({ name: { en: 42 } }))).toBe('statement.object.definition.name["en"]: must be a string');
  });
});

describe('Data 2.3.2 Voiding', () => {
  const voided = { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } };

  test('a voiding statement must have a StatementRef object with the id of the statement it voids (2.3.2.s2.b1, b2)', () => {
    accepted(statement({ verb: voided, object: { objectType: 'StatementRef', id: 'e05aa883-acaf-40ad-bf54-02c8ce485fb0' } }));
    expect(rejection(statement({ verb: voided }))).toBe(
      'statement.object: a voiding statement (verb http://adlnet.gov/expapi/verbs/voided) must have a StatementRef object (Data 2.3.2)',
    );
    expect(rejection(statement({ verb: voided, object: { objectType: 'StatementRef' } }))).toBe('statement.object.id: is required');
  });
});

describe('Data 2.4.1 ID', () => {
  test('a statement id must be a UUID in standard string form; any version or variant, either case (2.4.1.s1, 4.4)', () => {
    accepted(statement({ id: 'AA97B177-9383-4934-8543-0F91A7A02836' }));
    accepted(statement({ id: '01890a5d-ac96-774b-bcce-b302099a8057' })); // version 7
    accepted(statement({ id: undefined })); // the LRS assigns one
    expect(rejection(statement({ id: 'AA97B177-9383-4934-8543-0F91A7A028368' }))).toMatch(/^statement\.id: must be a UUID/);
    expect(rejection(statement({ id: 'MA97B177-9383-4934-8543-0F91A7A02836' }))).toMatch(/^statement\.id: must be a UUID/);
    expect(rejection(statement({ id: '{aa97b177-9383-4934-8543-0f91a7a02836}' }))).toMatch(/^statement\.id: must be a UUID/);
    expect(rejection(statement({ id: 12345 }))).toBe('statement.id: must be a string');
  });
});

describe('Data 2.4.2 Actor', () => {
  test('an Agent is identified by exactly one inverse functional identifier (2.4.2.1.s2.b1, b2)', () => {
    expect(rejection(withActor({ name: 'Nobody' }))).toBe(
      'statement.actor: an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)',
    );
    expect(rejection(withActor({ mbox: 'mailto:ada@example.com', openid: 'https://openid.example.com/ada' }))).toBe(
      'statement.actor: an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), not mbox and openid',
    );
  });

  test('each kind of identifier has its format (2.4.2.3, 2.4.2.4)', () => {
    accepted(withActor({ mbox: 'mailto:Ada.Lovelace+training@Example.COM' }));
    accepted(withActor({ mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' }));
    accepted(withActor({ openid: 'http://toby.openid.example.org/' }));
    accepted(withActor({ account: { homePage: 'http://www.example.com', name: '1625378' } }));
    expect(rejection(withActor({ mbox: 'ada@example.com' }))).toBe('statement.actor.mbox: must be a mailto: IRI of an email address');
    expect(rejection(withActor({ mbox: 'mailto:should.fail.com' }))).toBe('statement.actor.mbox: must be a mailto: IRI of an email address');
    expect(rejection(withActor({ mbox: 'http://should.fail.com' }))).toBe('statement.actor.mbox: must be a mailto: IRI of an email address');
    expect(rejection(withActor({ mbox_sha1sum: 'ebd31e95' }))).toBe('statement.actor.mbox_sha1sum: must be the 40 hex digits of a SHA-1 hash');
    expect(rejection(withActor({ openid: 'toby' }))).toMatch(/^statement\.actor\.openid: must be a URI/);
    expect(rejection(withActor({ account: { homePage: 'ab=c://should.fail.com', name: 'x' } }))).toMatch(/^statement\.actor\.account\.homePage: must be an IRL/);
    expect(rejection(withActor({ account: { homePage: 'http://www.example.com' } }))).toBe('statement.actor.account.name: is required');
    expect(rejection(withActor({ account: { homePage: 'http://www.example.com', name: { id: 1 } } }))).toBe('statement.actor.account.name: must be a string');
    expect(rejection(withActor({ account: { name: 'x' } }))).toBe('statement.actor.account.homePage: is required');
  });

  test('an actor is an Agent or a Group; an Agent may leave objectType out (2.4.2.1)', () => {
    accepted(withActor({ mbox: 'mailto:ada@example.com' }));
    expect(rejection(withActor({ ...learner, objectType: 'Person' }))).toBe('statement.actor.objectType: must be "Agent" or "Group"');
    expect(rejection(withActor({ ...learner, objectType: 123 }))).toBe('statement.actor.objectType: must be "Agent" or "Group"');
    expect(rejection(withActor('ada@example.com'))).toBe('statement.actor: must be an Agent or Group object');
  });

  test('an anonymous Group must list its members, which are Agents (2.4.2.2.s4.b1, b2)', () => {
    accepted(withActor({ objectType: 'Group', member: [learner, { account: { homePage: 'https://lms.example.com', name: 'grace' } }] }));
    expect(rejection(withActor({ objectType: 'Group', name: 'Night shift' }))).toBe(
      'statement.actor.member: an anonymous Group (one without an identifier) must list its members',
    );
    expect(rejection(withActor({ objectType: 'Group', member: [] }))).toBe('statement.actor.member: an anonymous Group must have at least one member');
    expect(rejection(withActor({ objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:team@example.com' }] }))).toBe(
      'statement.actor.member[0].objectType: a Group cannot have a Group as a member',
    );
    expect(rejection(withActor({ objectType: 'Group', member: [{ name: 'no identifier' }] }))).toMatch(/^statement\.actor\.member\[0\]: an Agent must have exactly one/);
  });

  test('an identified Group has exactly one identifier and no Group members; its member list is optional (2.4.2.2.s5)', () => {
    accepted(withActor({ objectType: 'Group', name: 'Ward 7', mbox: 'mailto:ward7@example.com' }));
    accepted(withActor({ objectType: 'Group', account: { homePage: 'http://example.com/homePage', name: 'GroupAccount' }, member: [learner] }));
    expect(rejection(withActor({ objectType: 'Group', mbox: 'mailto:ward7@example.com', openid: 'https://example.com/ward7' }))).toBe(
      'statement.actor: an identified Group must have exactly one inverse functional identifier, not mbox and openid',
    );
    expect(rejection(withActor({ objectType: 'Group', mbox: 'mailto:ward7@example.com', member: [{ objectType: 'Group', member: [learner] }] }))).toBe(
      'statement.actor.member[0].objectType: a Group cannot have a Group as a member',
    );
  });
});

describe('Data 2.4.3 Verb', () => {
  test('a verb has an IRI id and an optional display language map, nothing else (2.4.3.s3)', () => {
    accepted(statement({ verb: { id: 'http://example.com/فعل/خواندن' } }));
    expect(rejection(statement({ verb: { display: { en: 'did' } } }))).toBe('statement.verb.id: is required');
    expect(rejection(statement({ verb: { id: 'completed' } }))).toMatch(/^statement\.verb\.id: must be an IRI/);
    expect(rejection(statement({ verb: 'completed' }))).toBe('statement.verb: must be an object');
  });
});

describe('Data 2.4.4 Object', () => {
  test('an Activity object has an IRI id; objectType defaults to Activity and must be Activity when given (2.4.4.1)', () => {
    accepted(withObject({ id: course.id }));
    expect(rejection(withObject({ objectType: 'Activity' }))).toBe('statement.object.id: is required');
    expect(rejection(withObject({ objectType: 'Course', id: course.id }))).toMatch(/^statement\.object\.objectType: must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"$/);
    expect(rejection(withObject({ ...course, definition: 'fire safety' }))).toBe('statement.object.definition: must be an object');
  });

  test('an Activity definition holds language maps, a type IRI, a moreInfo IRL and IRI-keyed extensions (2.4.4.1.s2)', () => {
    accepted(withDefinition({ name: { 'en-GB': 'Fire safety' }, description: { en: 'Annual refresher' }, type: 'http://adlnet.gov/expapi/activities/course', moreInfo: 'https://lms.example.com/courses/fire-safety/about' }));
    expect(rejection(withDefinition({ name: 'Fire safety' }))).toMatch(/^statement\.object\.definition\.name: must be a language map/);
    expect(rejection(withDefinition({ type: 'course' }))).toMatch(/^statement\.object\.definition\.type: must be an IRI/);
    expect(rejection(withDefinition({ moreInfo: 'should error' }))).toMatch(/^statement\.object\.definition\.moreInfo: must be an IRL/);
    expect(rejection(withDefinition({ extensions: { id: 'valid', description: { 'en-US': 'valid' } } }))).toBe('statement.object.definition.extensions: the key "id" is not an IRI');
    expect(rejection(withDefinition({ extensions: 'should error' }))).toMatch(/^statement\.object\.definition\.extensions: must be an extensions object/);
  });

  test('an interaction activity has a valid interactionType, needed by correctResponsesPattern and every component list (2.4.4.1.s13.b1)', () => {
    for (const interactionType of ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other']) {
      accepted(withDefinition({ interactionType, correctResponsesPattern: ['x'] }));
    }
    expect(rejection(withDefinition({ interactionType: 'essay' }))).toMatch(/^statement\.object\.definition\.interactionType: must be one of/);
    expect(rejection(withDefinition({ interactionType: 7 }))).toBe('statement.object.definition.interactionType: must be a string');
    expect(rejection(withDefinition({ correctResponsesPattern: ['true'] }))).toBe('statement.object.definition.correctResponsesPattern: is used only with an interactionType');
    expect(rejection(withDefinition({ choices: [{ id: 'golf' }] }))).toBe('statement.object.definition.choices: is used only with an interactionType');
    expect(rejection(withDefinition({ interactionType: 'true-false', correctResponsesPattern: [true] }))).toBe('statement.object.definition.correctResponsesPattern[0]: must be a string');
  });

  test('component lists belong to their interactionType, and ids within a list are distinct (2.4.4.1.s15, s16.b1)', () => {
    accepted(withDefinition({ interactionType: 'matching', source: [{ id: 'ben' }], target: [{ id: '1', description: { 'en-US': 'Swift Kick' } }] }));
    accepted(withDefinition({ interactionType: 'likert', scale: [] }));
    expect(rejection(withDefinition({ interactionType: 'true-false', choices: [{ id: 'true' }] }))).toBe(
      'statement.object.definition.choices: is not a component list of interactionType true-false',
    );
    expect(rejection(withDefinition({ interactionType: 'choice', choices: [{ id: 'golf' }, { id: 'golf' }] }))).toBe(
      'statement.object.definition.choices[1].id: "golf" appears twice; ids within a component list must be distinct',
    );
    expect(rejection(withDefinition({ interactionType: 'choice', choices: [{ description: { en: 'Golf' } }] }))).toBe('statement.object.definition.choices[0].id: is required');
    expect(rejection(withDefinition({ interactionType: 'choice', choices: [{ id: { x: 1 } }] }))).toBe('statement.object.definition.choices[0].id: must be a string');
    expect(rejection(withDefinition({ interactionType: 'choice', choices: [{ id: 'golf', description: { 'de-419-DE': 'Golf' } }] }))).toBe(
      'statement.object.definition.choices[0].description: "de-419-DE" is not an RFC 5646 language tag',
    );
  });

  test('an Agent or Group as the object must say so with objectType (2.4.4.2.s1.b1)', () => {
    accepted(withObject({ objectType: 'Agent', mbox: 'mailto:grace@example.com' }));
    accepted(withObject({ objectType: 'Group', member: [learner] }));
    expect(rejection(withObject({ mbox: 'mailto:grace@example.com' }))).toBe('statement.object.objectType: is required when the object is an Agent or a Group (Data 2.4.4.2)');
    expect(rejection(withObject({ member: [learner] }))).toBe('statement.object.objectType: is required when the object is an Agent or a Group (Data 2.4.4.2)');
  });

  test('a Statement Reference has objectType StatementRef and the UUID of a statement (2.4.4.3.s4)', () => {
    accepted(withObject({ objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' }));
    expect(rejection(withObject({ objectType: 'StatementRef', id: 'AA97B177-9383-4934-8543-0F91A7A028368' }))).toMatch(/^statement\.object\.id: must be a UUID/);
    expect(rejection(withObject({ objectType: 'StatementRef', id: 12345 }))).toBe('statement.object.id: must be a string');
  });

  describe('SubStatements (2.4.4.3.s8)', () => {
    const planned = { id: 'http://example.com/planned', display: { 'en-US': 'planned' } };
    const sub = (overrides: Json = {}) => ({ objectType: 'SubStatement', actor: learner, verb: { id: 'http://example.com/visited' }, object: { id: 'http://example.com/website' }, ...overrides });

    test('a SubStatement is validated as a statement', () => {
      accepted(statement({ verb: planned, object: sub({ timestamp: '2099-01-01T00:00:00Z', result: { completion: true }, context: { registration: STATEMENT_ID } }) }));
      expect(rejection(statement({ verb: planned, object: sub({ actor: undefined }) }))).toBe('statement.object.actor: is required');
      expect(rejection(statement({ verb: planned, object: sub({ verb: { id: 'visited' } }) }))).toMatch(/^statement\.object\.verb\.id: must be an IRI/);
      expect(rejection(statement({ verb: planned, object: sub({ objectType: 'substatement' }) }))).toMatch(/^statement\.object\.objectType: must be "Activity"/);
    });

    test('a SubStatement must not have id, stored, version or authority', () => {
      for (const [key, value] of Object.entries({ id: STATEMENT_ID, stored: '2013-05-18T05:32:34.804Z', version: '1.0.0', authority: learner })) {
        expect(rejection(statement({ verb: planned, object: sub({ [key]: value }) }))).toBe(`statement.object.${key}: a SubStatement must not have this property (Data 2.4.4.3)`);
      }
    });

    test('a SubStatement must not contain a SubStatement', () => {
      expect(rejection(statement({ verb: planned, object: sub({ object: sub() }) }))).toBe('statement.object.object.objectType: a SubStatement cannot contain another SubStatement');
    });
  });
});

describe('Data 2.4.5 Result', () => {
  test('scaled is between -1 and 1 inclusive (2.4.5.1)', () => {
    accepted(withResult({ score: { scaled: 1 } }));
    accepted(withResult({ score: { scaled: -1 } }));
    expect(rejection(withResult({ score: { scaled: 1.01 } }))).toBe('statement.result.score.scaled: must be between -1 and 1');
    expect(rejection(withResult({ score: { scaled: -1.00001 } }))).toBe('statement.result.score.scaled: must be between -1 and 1');
  });

  test('raw lies between min and max inclusive, and min is less than max (2.4.5.1)', () => {
    accepted(withResult({ score: { raw: 0.6767676 } }));
    accepted(withResult({ score: { raw: 17, min: 0, max: 20 } }));
    accepted(withResult({ score: { raw: 20, min: 0, max: 20 } }));
    expect(rejection(withResult({ score: { raw: 21, min: 0, max: 20 } }))).toBe('statement.result.score.raw: must not be greater than max');
    expect(rejection(withResult({ score: { raw: -1, min: 0 } }))).toBe('statement.result.score.raw: must not be less than min');
    expect(rejection(withResult({ score: { min: 100.67, max: 100 } }))).toBe('statement.result.score.min: must be less than max');
    expect(rejection(withResult({ score: { min: 5, max: 5 } }))).toBe('statement.result.score.min: must be less than max');
    expect(rejection(withResult({ score: 87 }))).toBe('statement.result.score: must be an object');
  });

  test('success and completion are booleans, response a string, duration an ISO 8601 duration (2.4.5.s2)', () => {
    accepted(withResult({ success: true, completion: false, response: 'golf[,]tetris', duration: 'PT4H35M59.14S' }));
    expect(rejection(withResult({ response: 12345 }))).toBe('statement.result.response: must be a string');
    expect(rejection(withResult({ duration: 'PA1H0M0S' }))).toBe('statement.result.duration: must be an ISO 8601 duration such as PT1H30M or PT45.5S');
    expect(rejection(withResult({ duration: 12345 }))).toBe('statement.result.duration: must be a string');
  });

  test('durations follow ISO 8601:2004 4.4.3.2, not the alternative format (4.6)', () => {
    for (const d of ['PT1H0M0.1S', 'PT16559.14S', 'P3Y1M29DT4H35M59.14S', 'P3Y', 'P4W', 'P1D', 'PT0S', 'P0.5Y', 'PT1,5S']) expect([d, isDuration(d)]).toEqual([d, true]);
    for (const d of ['P', 'PT', 'P1YT', 'P4W1D', 'P1.5Y2M', 'P0003-01-29T04:35:59', '1H', 'P1H', 'pt1h', 'PT-1S']) expect([d, isDuration(d)]).toEqual([d, false]);
  });
});

describe('Data 2.4.6 Context', () => {
  test('registration is a UUID, instructor an Agent or Group, team a Group (2.4.6.s3)', () => {
    accepted(withContext({ registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7', instructor: { objectType: 'Group', member: [learner] }, team: { objectType: 'Group', mbox: 'mailto:teampb@example.com' } }));
    expect(rejection(withContext({ registration: 'should fail' }))).toMatch(/^statement\.context\.registration: must be a UUID/);
    expect(rejection(withContext({ instructor: 'Grace' }))).toBe('statement.context.instructor: must be an Agent or Group object');
    expect(rejection(withContext({ team: learner }))).toBe('statement.context.team: must be a Group (objectType "Group")');
    expect(rejection(withContext({ team: { key: 'should fail' } }))).toBe('statement.context.team: must be a Group (objectType "Group")');
  });

  test('contextActivities names only parent, grouping, category and other, each an Activity or an array of them (2.4.6.2.s4.b1, b2)', () => {
    accepted(withContext({ contextActivities: { parent: [course], grouping: [{ id: 'https://lms.example.com/programs/safety' }], category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }], other: { id: 'https://example.com/x' } } }));
    expect(rejection(withContext({ contextActivities: { sibling: [course] } }))).toBe(
      'statement.context.contextActivities.sibling: is not a property of contextActivities (parent, grouping, category, other)',
    );
    expect(rejection(withContext({ contextActivities: {} }))).toBe('statement.context.contextActivities: must name at least one of parent, grouping, category, other');
    expect(rejection(withContext({ contextActivities: 'should fail' }))).toBe('statement.context.contextActivities: must be an object');
    expect(rejection(withContext({ contextActivities: { parent: ['https://lms.example.com'] } }))).toBe('statement.context.contextActivities.parent[0]: must be an Activity object');
    expect(rejection(withContext({ contextActivities: { parent: { id: 'test1' } } }))).toMatch(/^statement\.context\.contextActivities\.parent\.id: must be an IRI/);
  });

  test('a single context Activity is returned as an array of one (2.4.6.2.s4.b3, b4)', () => {
    const [stored] = accepted(withContext({ contextActivities: { parent: course, grouping: [{ id: 'https://lms.example.com/programs/safety' }] } }));
    expect(stored!.context.contextActivities).toEqual({ parent: [course], grouping: [{ id: 'https://lms.example.com/programs/safety' }] });
    const sub = { objectType: 'SubStatement', actor: learner, verb: completed, object: course, context: { contextActivities: { other: course } } };
    const [withSub] = accepted(statement({ object: sub }));
    expect(withSub!.object.context.contextActivities).toEqual({ other: [course] });
  });

  test('revision and platform are used only when the object is an Activity (2.4.6.s4.b1, b2)', () => {
    accepted(withContext({ revision: '2024-03', platform: 'Moodle 4.3' }));
    expect(rejection(statement({ object: { objectType: 'Agent', mbox: 'mailto:grace@example.com' }, context: { revision: '2' } }))).toBe(
      "statement.context.revision: is allowed only when the statement's object is an Activity",
    );
    expect(rejection(statement({ object: { objectType: 'StatementRef', id: STATEMENT_ID }, context: { platform: 'Moodle' } }))).toBe(
      "statement.context.platform: is allowed only when the statement's object is an Activity",
    );
    expect(rejection(withContext({ revision: 2 }))).toBe('statement.context.revision: must be a string');
  });

  test('language is an RFC 5646 tag and statement a StatementRef (2.4.6.s3)', () => {
    accepted(withContext({ language: 'tlh', statement: { objectType: 'StatementRef', id: STATEMENT_ID } }));
    expect(rejection(withContext({ language: 'something' }))).toBe('statement.context.language: must be an RFC 5646 language tag');
    expect(rejection(withContext({ language: { en: 'x' } }))).toBe('statement.context.language: must be a string');
    expect(rejection(withContext({ statement: { objectType: 'statementref', id: STATEMENT_ID } }))).toBe('statement.context.statement.objectType: must be "StatementRef"');
    expect(rejection(withContext({ statement: { id: STATEMENT_ID } }))).toBe('statement.context.statement.objectType: must be "StatementRef"');
  });

  describe('xAPI 2.0 contextAgents and contextGroups', () => {
    const player = { objectType: 'Agent', mbox: 'mailto:player-1@example.com' };
    const team = { objectType: 'Group', mbox: 'mailto:team-1@example.com' };

    test('contextAgents is an array of contextAgent objects with an Agent and optional relevantTypes', () => {
      accepted(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: player, relevantTypes: ['https://example.com/types/coach'] }] }), '2.0.0');
      expect(rejection(withContext({ contextAgents: [{ objectType: 'Should fail', agent: player }] }), '2.0.0')).toBe('statement.context.contextAgents[0].objectType: must be "contextAgent"');
      expect(rejection(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: { key: 'Should fail' } }] }), '2.0.0')).toBe(
        'statement.context.contextAgents[0].agent.key: is not a property of an Agent',
      );
      expect(rejection(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: player, relevantTypes: [] }] }), '2.0.0')).toBe(
        'statement.context.contextAgents[0].relevantTypes: must list at least one Activity type IRI',
      );
      expect(rejection(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: player, relevantTypes: ['abc'] }] }), '2.0.0')).toMatch(
        /^statement\.context\.contextAgents\[0\]\.relevantTypes\[0\]: must be an IRI/,
      );
      expect(rejection(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: team }] }), '2.0.0')).toBe('statement.context.contextAgents[0].agent.objectType: must be "Agent"');
    });

    test('contextGroups is an array of contextGroup objects with a Group and optional relevantTypes', () => {
      accepted(withContext({ contextGroups: [{ objectType: 'contextGroup', group: team, relevantTypes: ['https://example.com/types/squad'] }] }), '2.0.0');
      expect(rejection(withContext({ contextGroups: [{ objectType: 'Should fail', group: team }] }), '2.0.0')).toBe('statement.context.contextGroups[0].objectType: must be "contextGroup"');
      expect(rejection(withContext({ contextGroups: [{ objectType: 'contextGroup', group: { key: 'Should fail' } }] }), '2.0.0')).toBe(
        'statement.context.contextGroups[0].group.key: is not a property of a Group',
      );
      expect(rejection(withContext({ contextGroups: [{ objectType: 'contextGroup' }] }), '2.0.0')).toBe('statement.context.contextGroups[0].group: is required');
    });

    test('xAPI 1.0.3 has no contextAgents or contextGroups', () => {
      expect(rejection(withContext({ contextAgents: [{ objectType: 'contextAgent', agent: player }] }), '1.0.3')).toBe(
        'statement.context.contextAgents: is an xAPI 2.0 property; this request speaks xAPI 1.0.3',
      );
    });
  });
});

describe('Data 2.4.7 Timestamp, 2.4.8 Stored and 4.5 ISO 8601 Timestamps', () => {
  test('xAPI 1.0.3 takes ISO 8601 combined date and time, extended or basic, with or without a time zone', () => {
    for (const t of ['2013-05-18T05:32:34.804Z', '2015-11-18T12:17:00+00:00', '2013-05-18T05:32:34.804+05:30', '20130518T053234Z', '20130518T053234.804+0530', '2013-05-18T05:32Z', '2013-05-18T05:32:34.8041234-07', '2008-09-15 15:53:00.601+00:00']) {
      accepted(statement({ timestamp: t }));
    }
    // Without a zone the time is taken as UTC.
    expect(parseTimestamp('2013-05-18T05:32:34.804', '1.0.3')?.toISOString()).toBe('2013-05-18T05:32:34.804Z');
  });

  test('xAPI 2.0 takes RFC 3339 timestamps, which always carry a time zone offset', () => {
    accepted(statement({ timestamp: '2008-09-15 15:53:00.601+00:00' }), '2.0.0');
    accepted(statement({ timestamp: '2013-05-18T05:32:34.804Z' }), '2.0.0');
    expect(rejection(statement({ timestamp: '2013-05-18T05:32:34.804' }), '2.0.0')).toBe(
      'statement.timestamp: must be an RFC 3339 timestamp with a time zone offset, such as 2024-05-18T05:32:34.804Z',
    );
    expect(rejection(statement({ timestamp: '20130518T053234Z' }), '2.0.0')).toMatch(/^statement\.timestamp: must be an RFC 3339 timestamp/);
  });

  test('impossible dates, the unknown offset -00:00 and text that is no timestamp are rejected, in timestamp and stored', () => {
    for (const t of ['2013-15-01T05:32:34Z', '2013-02-29T00:00:00Z', '2013-04-31T00:00:00Z', '2013-05-18T24:00:00Z', '2013-05-18T05:61:00Z', '2008-09-15T15:53:00.601-00', '2008-09-15T15:53:00.601-0000', '2008-09-15T15:53:00.601-00:00', '01/011/2015', 'should fail', '2013-05-18', '2013-05-18T05:32:34+25:00']) {
      expect([t, rejection(statement({ timestamp: t }))]).toEqual([t, 'statement.timestamp: must be an ISO 8601 date and time, such as 2024-05-18T05:32:34.804Z']);
    }
    accepted(statement({ timestamp: '2012-02-29T00:00:00Z' }));
    expect(rejection(statement({ stored: 'yesterday' }))).toMatch(/^statement\.stored: must be an ISO 8601 date and time/);
    expect(rejection(statement({ timestamp: 1368855154804 }))).toBe('statement.timestamp: must be a string');
  });

  test('the instant of a timestamp does not depend on its time zone', () => {
    const utc = parseTimestamp('2013-05-18T05:32:34.804Z', '2.0.0')!;
    expect(parseTimestamp('2013-05-18T11:02:34.804+05:30', '2.0.0')).toEqual(utc);
    expect(parseTimestamp('20130517T233234.804-0600', '1.0.3')).toEqual(utc);
    expect(parseTimestamp('2013-05-18T05:32:34.8049999Z', '1.0.3')).toEqual(utc);
  });
});

describe('Data 2.4.9 Authority', () => {
  test('the authority is an Agent, or an anonymous Group of exactly two Agents for 3-legged OAuth (2.4.9.s3.b1)', () => {
    const consumer = { account: { homePage: 'http://example.com/xAPI/OAuth/Token', name: 'oauth_consumer_x75db' } };
    accepted(statement({ authority: { objectType: 'Agent', account: { homePage: 'https://trainhub.example.com', name: 'lms-client' } } }));
    accepted(statement({ authority: { objectType: 'Group', member: [consumer, { mbox: 'mailto:bob@example.com' }] } }));
    const message = 'statement.authority: an authority that is a Group must be an anonymous Group of exactly two Agents (Data 2.4.9)';
    expect(rejection(statement({ authority: { objectType: 'Group', member: [{ mbox: 'mailto:bob@example.com' }] } }))).toBe(message);
    expect(rejection(statement({ authority: { objectType: 'Group', member: [consumer, { mbox: 'mailto:bob@example.com' }, { mbox: 'mailto:james@example.com' }] } }))).toBe(message);
    expect(rejection(statement({ authority: { objectType: 'Group', openid: 'http://openid.example.org/12345', member: [consumer, { mbox: 'mailto:bob@example.com' }] } }))).toBe(message);
  });
});

describe('Data 2.4.10 Version', () => {
  test('xAPI 1.0.3 accepts a version starting with 1.0 and rejects every other (2.4.10.s3.b1, b2)', () => {
    for (const version of ['1.0', '1.0.0', '1.0.3', '1.0.9']) accepted(statement({ version }));
    for (const version of ['0.9.9', '1.1.0', '2.0.0', 'should fail', '1.0.x']) expect(rejection(statement({ version }))).toBe('statement.version: must start with 1.0.');
  });

  test('xAPI 2.0 also accepts 2.0.0', () => {
    accepted(statement({ version: '2.0.0' }), '2.0.0');
    accepted(statement({ version: '1.0.3' }), '2.0.0');
    expect(rejection(statement({ version: '2.1.0' }), '2.0.0')).toBe('statement.version: must be 1.0.x or 2.0.0');
  });
});

describe('Data 2.4.11 Attachments', () => {
  const attachment = {
    usageType: 'http://example.com/attachment-usage/test',
    display: { 'en-US': 'A test attachment' },
    description: { 'en-US': 'A test attachment (description)' },
    contentType: 'text/plain; charset=ascii',
    length: 27,
    sha2: '495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a',
    fileUrl: 'http://over.there.com/file.txt',
  };
  const withAttachment = (overrides: Json) => statement({ attachments: [{ ...attachment, ...overrides }] });

  test('attachments is an array of Attachment objects', () => {
    accepted(statement({ attachments: [attachment] }));
    expect(rejection(statement({ attachments: attachment }))).toBe('statement.attachments: must be an array');
    expect(rejection(statement({ attachments: [12345] }))).toBe('statement.attachments[0]: must be an Attachment object');
  });

  test('usageType, display, contentType, length and sha2 are required and follow their formats; fileUrl is an IRL', () => {
    expect(rejection(withAttachment({ usageType: undefined }))).toBe('statement.attachments[0].usageType: is required');
    expect(rejection(withAttachment({ display: undefined }))).toBe('statement.attachments[0].display: is required');
    expect(rejection(withAttachment({ usageType: 'should fail' }))).toMatch(/^statement\.attachments\[0\]\.usageType: must be an IRI/);
    expect(rejection(withAttachment({ display: 'should error' }))).toMatch(/^statement\.attachments\[0\]\.display: must be a language map/);
    expect(rejection(withAttachment({ description: { something: 'x' } }))).toBe('statement.attachments[0].description: "something" is not an RFC 5646 language tag');
    expect(rejection(withAttachment({ contentType: 'should fail' }))).toBe('statement.attachments[0].contentType: must be an Internet media type such as text/plain');
    expect(rejection(withAttachment({ length: 'should fail' }))).toBe('statement.attachments[0].length: must be a number (not a string)');
    expect(rejection(withAttachment({ length: 2.5 }))).toBe('statement.attachments[0].length: must be a whole number of octets');
    expect(rejection(withAttachment({ sha2: 12345 }))).toBe('statement.attachments[0].sha2: must be a string');
    expect(rejection(withAttachment({ sha2: 'abc' }))).toBe('statement.attachments[0].sha2: must be a SHA-2 hash in hex (SHA-224, -256, -384 or -512)');
    expect(rejection(withAttachment({ fileUrl: 'should fail' }))).toMatch(/^statement\.attachments\[0\]\.fileUrl: must be an IRL/);
  });
});

describe('Data 3.1 and 4.3 IRIs (best-effort check)', () => {
  test('absolute IRIs with a scheme are accepted, non-ASCII letters included; everything else is not', () => {
    for (const iri of ['http://adlnet.gov/expapi/verbs/voided', 'https://w3id.org/xapi/cmi5/context/categories/cmi5', 'urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0', 'tag:example.com,2024:course', 'http://example.com/xapi/verbs#defenestrated', 'https://例え.jp/コース', 'https://example.com/a%20b?x=1&y=2', 'mailto:ada@example.com', 'file:///srv/courses/1']) {
      expect([iri, isIri(iri)]).toEqual([iri, true]);
    }
    for (const iri of ['', 'should fail', 'ab=c://should.fail.com', '/relative/path', '#fragment', 'http://', 'https:///path', 'http://exa mple.com', 'http://example.com/<b>', 'http://example.com/100%', 'http://example.com/a#b#c', 'http:example.com', '1http://example.com']) {
      expect([iri, isIri(iri)]).toEqual([iri, false]);
    }
  });
});

describe('Communication 2.1.2 POST Statements: a body is one statement or an array of them', () => {
  test('a single statement and an array are both returned as an array; an empty array is a valid, empty batch', () => {
    expect(accepted(statement())).toEqual([statement()]);
    expect(accepted([statement(), statement({ id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' })])).toHaveLength(2);
    expect(accepted([])).toEqual([]);
  });

  test('a problem in a batch names the statement by its index, and the batch is refused', () => {
    expect(rejection([statement(), statement({ id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0', actor: { mbox: 'ada@example.com' } })])).toBe(
      'statement[1].actor.mbox: must be a mailto: IRI of an email address',
    );
    expect(rejection([statement(), 'not a statement'])).toBe('statement[1]: must be a Statement object');
    expect(rejection(null)).toBe('statement: must not be null');
  });

  test('a batch that holds one id twice is refused (2.1.2.s2.b6)', () => {
    expect(rejection([statement(), statement({ id: STATEMENT_ID.toUpperCase() })])).toBe(
      'statement[1].id: repeats the id of statement[0]; a batch cannot hold one id twice',
    );
  });

  test('validateStatement names the statement by the path it is given', () => {
    expect(() => validateStatement(withActor({}), '2.0.0', 'statement[7]')).toThrow(
      'statement[7].actor: an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)',
    );
  });
});

describe('statements from real content are accepted', () => {
  const cmi5Actor = { objectType: 'Agent', name: 'Ada Lovelace', account: { homePage: 'https://lms.example.com', name: 'ada-0042' } };
  const registration = 'ec531277-b57b-4c15-8d91-d292c5b2b8f7';
  const cmi5Context = (extra: Json = {}) => ({
    registration,
    contextActivities: {
      category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }, ...(extra.moveOn ? [{ id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' }] : [])],
      grouping: [{ id: 'https://lms.example.com/courses/fire-safety' }],
    },
    extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': '458240298378231', ...(extra.extensions ?? {}) },
  });

  test('a cmi5 session: launched by the LMS, initialized, passed and terminated by the AU, satisfied by the LMS', () => {
    const au = { id: 'https://content.example.com/fire-safety/au/quiz', objectType: 'Activity' };
    const session: Json[] = [
      {
        id: '2c1b3f6e-9c4e-4e8a-9f2e-1d3c5b7a9e01',
        actor: cmi5Actor,
        verb: { id: 'http://adlnet.gov/expapi/verbs/launched', display: { 'en-US': 'Launched' } },
        object: au,
        context: cmi5Context({
          extensions: {
            'https://w3id.org/xapi/cmi5/context/extensions/launchmode': 'Normal',
            'https://w3id.org/xapi/cmi5/context/extensions/launchurl': 'https://content.example.com/fire-safety/quiz/index.html',
            'https://w3id.org/xapi/cmi5/context/extensions/moveon': 'CompletedOrPassed',
            'https://w3id.org/xapi/cmi5/context/extensions/launchparameters': '',
            'https://w3id.org/xapi/cmi5/context/extensions/masteryscore': 0.8,
          },
        }),
        timestamp: '2024-03-11T09:40:00.000Z',
      },
      { id: '2c1b3f6e-9c4e-4e8a-9f2e-1d3c5b7a9e02', actor: cmi5Actor, verb: { id: 'http://adlnet.gov/expapi/verbs/initialized', display: { 'en-US': 'Initialized' } }, object: au, context: cmi5Context(), timestamp: '2024-03-11T09:40:02.513Z' },
      {
        id: '2c1b3f6e-9c4e-4e8a-9f2e-1d3c5b7a9e03',
        actor: cmi5Actor,
        verb: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-US': 'Passed' } },
        object: au,
        result: { score: { scaled: 0.85 }, success: true, duration: 'PT12M4.5S' },
        context: cmi5Context({ moveOn: true }),
        timestamp: '2024-03-11T09:52:07.001Z',
      },
      { id: '2c1b3f6e-9c4e-4e8a-9f2e-1d3c5b7a9e04', actor: cmi5Actor, verb: { id: 'http://adlnet.gov/expapi/verbs/terminated', display: { 'en-US': 'Terminated' } }, object: au, result: { duration: 'PT12M10S' }, context: cmi5Context(), timestamp: '2024-03-11T09:52:13Z' },
      {
        id: '2c1b3f6e-9c4e-4e8a-9f2e-1d3c5b7a9e05',
        actor: cmi5Actor,
        verb: { id: 'https://w3id.org/xapi/adl/verbs/satisfied', display: { 'en-US': 'Satisfied' } },
        object: { id: 'https://lms.example.com/courses/fire-safety', objectType: 'Activity', definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
        context: cmi5Context({ moveOn: true }),
        timestamp: '2024-03-11T09:52:14Z',
      },
    ];
    expect(accepted(session)).toEqual(session);
    expect(accepted(session, '2.0.0')).toEqual(session);
  });

  test('a scored quiz: a choice question answered, then the quiz passed with raw, min, max and scaled scores', () => {
    const quiz = { id: 'https://content.example.com/quizzes/hand-hygiene', objectType: 'Activity', definition: { name: { 'en-GB': 'Hand hygiene quiz', 'de-DE': 'Quiz zur Handhygiene' }, type: 'http://adlnet.gov/expapi/activities/assessment' } };
    const answered = {
      actor: learner,
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-GB': 'answered' } },
      object: {
        id: 'https://content.example.com/quizzes/hand-hygiene/q3',
        objectType: 'Activity',
        definition: {
          description: { 'en-GB': 'When do you wash your hands?' },
          type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
          interactionType: 'choice',
          correctResponsesPattern: ['before[,]after'],
          choices: [
            { id: 'before', description: { 'en-GB': 'Before touching a patient' } },
            { id: 'after', description: { 'en-GB': 'After touching a patient' } },
            { id: 'never', description: { 'en-GB': 'Never' } },
          ],
        },
      },
      result: { response: 'before[,]after', success: true, duration: 'PT24S' },
      context: { contextActivities: { parent: [quiz] }, language: 'en-GB' },
      timestamp: '2024-03-11T10:02:10.452+01:00',
    };
    const passed = {
      actor: learner,
      verb: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-GB': 'passed' } },
      object: quiz,
      result: { score: { raw: 9, min: 0, max: 10, scaled: 0.9 }, success: true, completion: true, duration: 'PT6M12.08S' },
      timestamp: '2024-03-11T10:04:00+01:00',
    };
    expect(accepted([answered, passed])).toEqual([answered, passed]);
  });

  test('a SCORM-to-xAPI wrapper statement, with 0.95-style single context activities turned into arrays', () => {
    const attempt = { id: 'https://lms.example.com/scorm/fire-safety/sco-1?attemptId=0f1c9a4e-5b7d-4e11-9d4a-2b6f3c8e7a10', definition: { type: 'http://adlnet.gov/expapi/activities/attempt' } };
    const wrapped = {
      actor: { name: 'Ada Lovelace', account: { homePage: 'https://lms.example.com', name: '42' } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
      object: { id: 'https://lms.example.com/scorm/fire-safety/sco-1', objectType: 'Activity', definition: { name: { 'en-US': 'Fire safety, module 1' }, type: 'http://adlnet.gov/expapi/activities/lesson' } },
      result: { completion: true, success: true, score: { raw: 80, min: 0, max: 100, scaled: 0.8 }, duration: 'PT0H14M22.3S' },
      context: {
        contextActivities: {
          parent: attempt,
          grouping: { id: 'https://lms.example.com/scorm/fire-safety' },
          category: [{ id: 'https://w3id.org/xapi/scorm' }],
        },
        extensions: { 'https://w3id.org/xapi/scorm/extensions/cmi-location': 'page-7' },
      },
      timestamp: '2024-03-11T08:15:44.907Z',
    };
    const [stored] = accepted(wrapped);
    expect(stored!.context.contextActivities).toEqual({ parent: [attempt], grouping: [{ id: 'https://lms.example.com/scorm/fire-safety' }], category: [{ id: 'https://w3id.org/xapi/scorm' }] });
    expect(stored!.result).toEqual(wrapped.result);
    expect(wrapped.context.contextActivities.parent).toBe(attempt); // what was sent is left as it was
  });

  test("the specification's long example statement (Data Appendix A), as an LRS returns it", () => {
    const example = {
      id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
      actor: {
        name: 'Team PB',
        mbox: 'mailto:teampb@example.com',
        member: [
          { name: 'Andrew Downes', account: { homePage: 'http://www.example.com', name: '13936749' }, objectType: 'Agent' },
          { name: 'Toby Nichols', openid: 'http://toby.openid.example.org/', objectType: 'Agent' },
          { name: 'Ena Hills', mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9', objectType: 'Agent' },
        ],
        objectType: 'Group',
      },
      verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { 'en-GB': 'attended', 'en-US': 'attended' } },
      result: {
        extensions: { 'http://example.com/profiles/meetings/resultextensions/minuteslocation': 'X:\\meetings\\minutes\\examplemeeting.one' },
        success: true,
        completion: true,
        response: 'We agreed on some example actions.',
        duration: 'PT1H0M0S',
      },
      context: {
        registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
        contextActivities: {
          parent: [{ id: 'http://www.example.com/meetings/series/267', objectType: 'Activity' }],
          category: [{ id: 'http://www.example.com/meetings/categories/teammeeting', objectType: 'Activity', definition: { name: { en: 'team meeting' }, description: { en: 'A category of meeting used for regular team meetings.' }, type: 'http://example.com/expapi/activities/meetingcategory' } }],
          other: [{ id: 'http://www.example.com/meetings/occurances/34257', objectType: 'Activity' }, { id: 'http://www.example.com/meetings/occurances/3425567', objectType: 'Activity' }],
        },
        instructor: { name: 'Andrew Downes', account: { homePage: 'http://www.example.com', name: '13936749' }, objectType: 'Agent' },
        team: { name: 'Team PB', mbox: 'mailto:teampb@example.com', objectType: 'Group' },
        platform: 'Example virtual meeting software',
        language: 'tlh',
        statement: { objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' },
      },
      timestamp: '2013-05-18T05:32:34.804+00:00',
      stored: '2013-05-18T05:32:34.804+00:00',
      authority: { account: { homePage: 'http://cloud.scorm.com/', name: 'anonymous' }, objectType: 'Agent' },
      version: '1.0.0',
      object: {
        id: 'http://www.example.com/meetings/occurances/34534',
        definition: {
          extensions: { 'http://example.com/profiles/meetings/activitydefinitionextensions/room': { name: 'Kilby', id: 'http://example.com/rooms/342' } },
          name: { 'en-GB': 'example meeting', 'en-US': 'example meeting' },
          description: { 'en-GB': 'An example meeting that happened on a specific occasion with certain people present.', 'en-US': 'An example meeting that happened on a specific occasion with certain people present.' },
          type: 'http://adlnet.gov/expapi/activities/meeting',
          moreInfo: 'http://virtualmeeting.example.com/345256',
        },
        objectType: 'Activity',
      },
    };
    expect(accepted(example)).toEqual([example]);
  });
});

describe('Data 2.4.2.3 Inverse Functional Identifiers as one string', () => {
  test('each kind of identifier, the email domain (only) in lower case', () => {
    expect(agentIdentifier({ mbox: 'mailto:Ada.Lovelace@Example.COM' })).toBe('mbox:mailto:Ada.Lovelace@example.com');
    expect(agentIdentifier({ mbox: 'MAILTO:ada@example.com' })).toBe('mbox:mailto:ada@example.com');
    expect(agentIdentifier({ mbox_sha1sum: 'EBD31E95054C018B10727CCFFD2EF2EC3A016EE9' })).toBe('mbox_sha1sum:ebd31e95054c018b10727ccffd2ef2ec3a016ee9');
    expect(agentIdentifier({ openid: 'http://toby.openid.example.org/' })).toBe('openid:http://toby.openid.example.org/');
    expect(agentIdentifier({ account: { homePage: 'https://lms.example.com', name: 'Ada|42' } })).toBe('account:https://lms.example.com|Ada|42');
    expect(agentIdentifier({ objectType: 'Group', mbox: 'mailto:ward7@example.com', member: [learner] })).toBe('mbox:mailto:ward7@example.com');
    expect(agentIdentifier({ objectType: 'Group', member: [learner] })).toBeNull();
  });
});

describe('Communication 2.1.3 the agent parameter', () => {
  test('is the JSON of an Agent or identified Group, validated like one in a statement (Data 2.2.s4.b4)', () => {
    expect(parseAgentParam('{"mbox":"mailto:ada@example.com"}', 'agent')).toEqual({ mbox: 'mailto:ada@example.com' });
    expect(parseAgentParam('{"objectType":"Group","account":{"homePage":"https://lms.example.com","name":"ward-7"}}', 'agent')).toEqual({
      objectType: 'Group',
      account: { homePage: 'https://lms.example.com', name: 'ward-7' },
    });
    const failure = (json: string) => {
      try {
        parseAgentParam(json, 'agent');
      } catch (error) {
        expect(error).toBeInstanceOf(XapiError);
        expect((error as XapiError).status).toBe(400);
        return (error as XapiError).message;
      }
      throw new Error(`accepted ${json}`);
    };
    expect(failure('mailto:ada@example.com')).toBe('agent: must be the JSON of an Agent (for example {"mbox":"mailto:learner@example.com"})');
    expect(failure('{"mbox":"ada@example.com"}')).toBe('agent.mbox: must be a mailto: IRI of an email address');
    expect(failure('{"mbox":"mailto:ada@example.com","openid":"https://id.example.com/ada"}')).toMatch(/^agent: an Agent must have exactly one inverse functional identifier/);
    expect(failure('{"objectType":"Group","member":[{"mbox":"mailto:ada@example.com"}]}')).toBe(
      'agent: an anonymous Group has no identifier to look up; give an Agent or an identified Group',
    );
  });
});

describe('Communication 2.1.3 what the agent and activity filters match', () => {
  const grace = { objectType: 'Agent', mbox: 'mailto:grace@example.com' };
  const ward = { objectType: 'Group', mbox: 'mailto:ward7@example.com', member: [learner, grace] };
  const lms = { objectType: 'Agent', account: { homePage: 'https://trainhub.example.com', name: 'lms' } };
  const ada = 'mbox:mailto:ada@example.com';

  test('agent matches the actor and an Agent or Group object, members of such a group included; related_agents adds authority, instructor, team and SubStatement agents', () => {
    const s = statement({
      actor: ward,
      object: { objectType: 'SubStatement', actor: { objectType: 'Agent', openid: 'https://id.example.com/toby' }, verb: completed, object: { objectType: 'Agent', mbox: 'mailto:sub-object@example.com' }, context: { instructor: { mbox: 'mailto:sub-instructor@example.com' } } },
      context: { instructor: grace, team: { objectType: 'Group', account: { homePage: 'https://lms.example.com', name: 'night-shift' }, member: [{ mbox: 'mailto:nurse@example.com' }] } },
      authority: lms,
    });
    expect(statementAgents(s)).toEqual([
      { identifier: 'mbox:mailto:ward7@example.com', related: false },
      { identifier: ada, related: false },
      { identifier: 'mbox:mailto:grace@example.com', related: false }, // also instructor: listed once, as not related
      { identifier: 'account:https://trainhub.example.com|lms', related: true },
      { identifier: 'account:https://lms.example.com|night-shift', related: true },
      { identifier: 'mbox:mailto:nurse@example.com', related: true },
      { identifier: 'openid:https://id.example.com/toby', related: true },
      { identifier: 'mbox:mailto:sub-object@example.com', related: true },
      { identifier: 'mbox:mailto:sub-instructor@example.com', related: true },
    ]);
  });

  test('an anonymous group contributes its members, an Agent object counts like the actor, and 2.0 context agents and groups are related', () => {
    const s = statement({
      actor: { objectType: 'Group', member: [learner] },
      object: { objectType: 'Agent', mbox: 'mailto:grace@example.com' },
      context: { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:coach@example.com' } }], contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', mbox: 'mailto:squad@example.com' } }] },
    });
    expect(statementAgents(s)).toEqual([
      { identifier: ada, related: false },
      { identifier: 'mbox:mailto:grace@example.com', related: false },
      { identifier: 'mbox:mailto:coach@example.com', related: true },
      { identifier: 'mbox:mailto:squad@example.com', related: true },
    ]);
  });

  test('activity matches the object; related_activities adds context activities and SubStatement activities', () => {
    const program = { id: 'https://lms.example.com/programs/safety' };
    expect(statementActivities(statement({ context: { contextActivities: { parent: [program], grouping: [course], other: { id: 'https://example.com/other' } } } }))).toEqual([
      { id: course.id, related: false },
      { id: program.id, related: true },
      { id: 'https://example.com/other', related: true },
    ]);
    const sub = { objectType: 'SubStatement', actor: learner, verb: completed, object: { id: 'https://example.com/planned' }, context: { contextActivities: { category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }] } } };
    expect(statementActivities(statement({ object: sub }))).toEqual([
      { id: 'https://example.com/planned', related: true },
      { id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5', related: true },
    ]);
    expect(statementActivities(statement({ object: { objectType: 'StatementRef', id: STATEMENT_ID } }))).toEqual([]);
  });
});
