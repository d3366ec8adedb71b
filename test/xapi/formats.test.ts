import { activityDefinitionMerge, bestLanguage, formatStatement, parseAcceptLanguage, sameStatement } from '../../src/connectors/xapi/formats';

/**
 * How the LRS gives statements back (the `format` parameter of GET statements, Communication
 * 2.1.3), how it decides a statement sent again with a known id is the same one (Data 2.3.1), and
 * how it keeps its canonical definition of an Activity (Data 2.4.4.1).
 */

type Json = Record<string, any>;

const ada = { objectType: 'Agent', name: 'Ada Lovelace', mbox: 'mailto:ada@example.com' };
const grace = { name: 'Grace Hopper', account: { homePage: 'https://lms.example.com', name: 'grace' } };
const quiz = {
  objectType: 'Activity',
  id: 'https://content.example.com/quizzes/hand-hygiene',
  definition: {
    name: { 'en-GB': 'Hand hygiene quiz', 'en-US': 'Hand hygiene quiz (US)', 'de-DE': 'Quiz zur Handhygiene', fr: 'Quiz sur l’hygiène des mains' },
    description: { 'en-GB': 'Ten questions', de: 'Zehn Fragen' },
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    interactionType: 'choice',
    choices: [
      { id: 'before', description: { 'en-GB': 'Before touching a patient', 'de-DE': 'Vor dem Patientenkontakt' } },
      { id: 'never', description: { 'en-GB': 'Never' } },
    ],
  },
};
const passed = { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-US': 'passed', 'de-DE': 'bestanden' } };

function stored(overrides: Json = {}): Json {
  return {
    id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
    actor: ada,
    verb: passed,
    object: quiz,
    result: { score: { scaled: 0.9 }, success: true, duration: 'PT6M12.08S' },
    context: {
      registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
      instructor: grace,
      team: { objectType: 'Group', name: 'Ward 7', mbox: 'mailto:ward7@example.com', member: [ada, grace] },
      contextActivities: { parent: [{ id: 'https://lms.example.com/courses/hygiene', definition: { name: { en: 'Hygiene', de: 'Hygiene (DE)' } } }] },
    },
    timestamp: '2024-03-11T10:04:00.000Z',
    stored: '2024-03-11T10:04:01.250Z',
    authority: { objectType: 'Agent', account: { homePage: 'https://trainhub.example.com', name: 'lms-client' } },
    version: '1.0.0',
    ...overrides,
  };
}

describe('Communication 2.1.3 GET Statements format=exact', () => {
  test('returns the statement as stored', () => {
    const statement = stored();
    expect(formatStatement(statement, 'exact', ['de'])).toBe(statement);
  });
});

describe('Communication 2.1.3 GET Statements format=ids', () => {
  test('agents, activities and verbs keep only what identifies them', () => {
    const ids = formatStatement(stored(), 'ids');
    expect(ids.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:ada@example.com' });
    expect(ids.verb).toEqual({ id: passed.id });
    expect(ids.object).toEqual({ objectType: 'Activity', id: quiz.id });
    expect(ids.authority).toEqual({ objectType: 'Agent', account: { homePage: 'https://trainhub.example.com', name: 'lms-client' } });
    expect(ids.context.instructor).toEqual({ account: { homePage: 'https://lms.example.com', name: 'grace' } });
    expect(ids.context.team).toEqual({ objectType: 'Group', mbox: 'mailto:ward7@example.com' });
    expect(ids.context.contextActivities).toEqual({ parent: [{ id: 'https://lms.example.com/courses/hygiene' }] });
    // What is no agent, activity or verb stays as it is.
    expect(ids.result).toEqual(stored().result);
    expect(ids.context.registration).toBe('ec531277-b57b-4c15-8d91-d292c5b2b8f7');
    expect(ids.timestamp).toBe('2024-03-11T10:04:00.000Z');
  });

  test('an anonymous group is given by the identifiers of its members', () => {
    const ids = formatStatement(stored({ actor: { objectType: 'Group', name: 'Night shift', member: [ada, grace] } }), 'ids');
    expect(ids.actor).toEqual({ objectType: 'Group', member: [{ objectType: 'Agent', mbox: 'mailto:ada@example.com' }, { account: grace.account }] });
  });

  test('a SubStatement is reduced the same way; a StatementRef stays whole', () => {
    const sub = { objectType: 'SubStatement', actor: ada, verb: passed, object: quiz, context: { instructor: grace } };
    expect(formatStatement(stored({ object: sub, context: undefined }), 'ids').object).toEqual({
      objectType: 'SubStatement',
      actor: { objectType: 'Agent', mbox: 'mailto:ada@example.com' },
      verb: { id: passed.id },
      object: { objectType: 'Activity', id: quiz.id },
      context: { instructor: { account: grace.account } },
    });
    const ref = { objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' };
    expect(formatStatement(stored({ object: ref }), 'ids').object).toEqual(ref);
  });

  test('xAPI 2.0 context agents and groups are reduced too', () => {
    const context = { contextAgents: [{ objectType: 'contextAgent', agent: ada, relevantTypes: ['https://example.com/types/coach'] }], contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', name: 'Ward 7', mbox: 'mailto:ward7@example.com' } }] };
    const ids = formatStatement(stored({ context }), 'ids');
    expect(ids.context.contextAgents).toEqual([{ objectType: 'contextAgent', agent: { objectType: 'Agent', mbox: 'mailto:ada@example.com' }, relevantTypes: ['https://example.com/types/coach'] }]);
    expect(ids.context.contextGroups).toEqual([{ objectType: 'contextGroup', group: { objectType: 'Group', mbox: 'mailto:ward7@example.com' } }]);
  });

  test('the stored statement is not changed', () => {
    const statement = stored();
    formatStatement(statement, 'ids');
    expect(statement).toEqual(stored());
  });
});

describe('Communication 2.1.3 GET Statements format=canonical, with language filtering (2.1.3.s4)', () => {
  test('every language map of an Activity and the Verb display hold one language, the one Accept-Language prefers', () => {
    const german = formatStatement(stored(), 'canonical', parseAcceptLanguage('de-DE, en;q=0.5'));
    expect(german.verb.display).toEqual({ 'de-DE': 'bestanden' });
    expect(german.object.definition.name).toEqual({ 'de-DE': 'Quiz zur Handhygiene' });
    expect(german.object.definition.choices).toEqual([
      { id: 'before', description: { 'de-DE': 'Vor dem Patientenkontakt' } },
      { id: 'never', description: { 'en-GB': 'Never' } },
    ]);
    // No "de-DE" description: "en" is the range that matches (RFC 2616 does not match "de-DE" to "de") …
    expect(german.object.definition.description).toEqual({ 'en-GB': 'Ten questions' });
    // … and where no range matches at all, "de-DE" is shortened to "de".
    const onlyGerman = formatStatement(stored(), 'canonical', parseAcceptLanguage('de-DE'));
    expect(onlyGerman.object.definition.description).toEqual({ de: 'Zehn Fragen' });
    expect(onlyGerman.context.contextActivities.parent[0].definition.name).toEqual({ de: 'Hygiene (DE)' });
  });

  test('agents and groups come back as in exact; what is no language map is untouched', () => {
    const canonical = formatStatement(stored(), 'canonical', ['fr']);
    expect(canonical.actor).toEqual(ada);
    expect(canonical.context.team).toEqual(stored().context.team);
    expect(canonical.object.definition.type).toBe(quiz.definition.type);
    expect(canonical.object.definition.name).toEqual({ fr: 'Quiz sur l’hygiène des mains' });
  });

  test('without any acceptable language a map still shows one entry', () => {
    expect(formatStatement(stored(), 'canonical', ['ja']).verb.display).toEqual({ 'en-US': 'passed' });
    expect(formatStatement(stored(), 'canonical', []).object.definition.name).toEqual({ 'en-GB': 'Hand hygiene quiz' });
  });

  test("the LRS's canonical definitions and displays replace the statement's when it has them", () => {
    const canonical = formatStatement(stored(), 'canonical', ['en'], {
      activity: (id) => (id === quiz.id ? { name: { en: 'Hand hygiene (2024 edition)', de: 'Handhygiene' }, type: 'http://adlnet.gov/expapi/activities/assessment' } : undefined),
      verb: () => ({ en: 'passed', de: 'bestanden' }),
    });
    expect(canonical.object.definition).toEqual({ name: { en: 'Hand hygiene (2024 edition)' }, type: 'http://adlnet.gov/expapi/activities/assessment' });
    expect(canonical.verb.display).toEqual({ en: 'passed' });
    expect(canonical.context.contextActivities.parent[0].definition.name).toEqual({ en: 'Hygiene' });
  });

  test('Accept-Language ranges are ordered by quality and matched as RFC 2616 14.4 says', () => {
    expect(parseAcceptLanguage('da, en-gb;q=0.8, en;q=0.7')).toEqual(['da', 'en-gb', 'en']);
    expect(parseAcceptLanguage('en;q=0.2, de;q=0.9, fr;q=0, *;q=0.1')).toEqual(['de', 'en', '*']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    const tags = ['en-GB', 'en-US', 'de-DE'];
    expect(bestLanguage(tags, ['en'])).toBe('en-GB'); // a range matches the tags it is a prefix of
    expect(bestLanguage(tags, ['EN-us'])).toBe('en-US'); // case-insensitively
    expect(bestLanguage(tags, ['fr', '*'])).toBe('en-GB');
    expect(bestLanguage(tags, ['fr', 'de'])).toBe('de-DE'); // the first range that matches wins
    expect(bestLanguage(['de', 'en'], ['en-AU', 'de'])).toBe('de'); // RFC 2616: "en-AU" does not match "en" …
    expect(bestLanguage(['en', 'fr'], ['en-AU'])).toBe('en'); // … but with no other match the range is shortened
    expect(bestLanguage(['en-GB', 'en-US'], ['en', 'en-GB'])).toBe('en-US'); // en-GB counts with its longest range, the less preferred one
    expect(bestLanguage([], ['en'])).toBeUndefined();
  });
});

describe('Data 2.3.1 Statement Comparison Requirements', () => {
  test('the same content with its properties in another order is the same statement', () => {
    const reordered = JSON.parse(JSON.stringify(stored(), Object.keys(flatKeys(stored())).reverse()));
    expect(Object.keys(reordered)).not.toEqual(Object.keys(stored()));
    expect(sameStatement(stored(), reordered)).toBe(true);
  });

  test('the same instant written in another time zone is the same statement (2.3.1.b4)', () => {
    expect(sameStatement(stored(), stored({ timestamp: '2024-03-11T11:04:00+01:00' }))).toBe(true);
    expect(sameStatement(stored(), stored({ timestamp: '2024-03-11T10:04:00.001Z' }))).toBe(false);
  });

  test('what the LRS assigns (id, authority, stored, version, a missing timestamp) is ignored (2.3.1.b1)', () => {
    const { timestamp: _t, ...sentWithoutTimestamp } = stored({ id: undefined, authority: undefined, stored: undefined, version: undefined });
    expect(sameStatement(stored(), sentWithoutTimestamp)).toBe(true);
    expect(sameStatement(stored(), stored({ authority: { objectType: 'Agent', mbox: 'mailto:someone-else@example.com' }, version: '1.0.3' }))).toBe(true);
  });

  test('Activity definitions and Verb display are not part of the statement (2.3.1.b2, b3)', () => {
    expect(sameStatement(stored(), stored({ object: { id: quiz.id }, verb: { id: passed.id } }))).toBe(true);
  });

  test("a Group's members in another order, a single context Activity instead of an array, and defaults left implicit are the same (2.3.1.b5)", () => {
    const sent = stored({
      actor: { mbox: 'mailto:ada@example.com', name: 'Ada Lovelace' },
      context: { ...stored().context, team: { ...stored().context.team, member: [grace, ada] }, contextActivities: { parent: { id: 'https://lms.example.com/courses/hygiene' } } },
    });
    expect(sameStatement(stored(), sent)).toBe(true);
  });

  test('case that does not matter does not matter: email domain, UUID and hash hex digits, language tags (2.3.1.b7)', () => {
    const sent = stored({
      actor: { ...ada, mbox: 'mailto:ada@EXAMPLE.com' },
      context: { ...stored().context, registration: 'EC531277-B57B-4C15-8D91-D292C5B2B8F7', language: 'EN-gb' },
    });
    expect(sameStatement(stored({ context: { ...stored().context, language: 'en-GB' } }), sent)).toBe(true);
    // The local part of an address is another matter.
    expect(sameStatement(stored(), stored({ actor: { ...ada, mbox: 'mailto:ADA@example.com' } }))).toBe(false);
  });

  test('a changed result, actor, verb, object or context is another statement (2.3.1.s9.b2)', () => {
    expect(sameStatement(stored(), stored({ result: { score: { scaled: 0.4 }, success: false, duration: 'PT6M12.08S' } }))).toBe(false);
    expect(sameStatement(stored(), stored({ result: { ...stored().result, completion: true } }))).toBe(false);
    expect(sameStatement(stored(), stored({ actor: grace }))).toBe(false);
    expect(sameStatement(stored(), stored({ verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }))).toBe(false);
    expect(sameStatement(stored(), stored({ object: { ...quiz, id: `${quiz.id}/v2` } }))).toBe(false);
    expect(sameStatement(stored(), stored({ context: { ...stored().context, instructor: ada } }))).toBe(false);
    expect(sameStatement(stored(), stored({ context: { ...stored().context, extensions: { 'https://example.com/ext/ward': 7 } } }))).toBe(false);
  });

  test('durations compare as strings, without digits below a hundredth of a second (2.3.1.b8, 4.6.s1.b5)', () => {
    expect(sameStatement(stored(), stored({ result: { ...stored().result, duration: 'PT6M12.0849S' } }))).toBe(true);
    expect(sameStatement(stored(), stored({ result: { ...stored().result, duration: 'PT372.08S' } }))).toBe(false);
  });
});

describe('Data 2.4.4.1 the canonical Activity definition', () => {
  const current = {
    name: { 'en-GB': 'Hand hygiene quiz' },
    description: { 'en-GB': 'Ten questions' },
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    interactionType: 'choice',
    correctResponsesPattern: ['before'],
    choices: [{ id: 'before', description: { 'en-GB': 'Before touching a patient' } }, { id: 'never', description: { 'en-GB': 'Never' } }],
    extensions: { 'https://example.com/ext/owner': 'infection-control' },
  };

  test('language entries are added or corrected; type, moreInfo and extensions keys are taken from the new definition', () => {
    const merged = activityDefinitionMerge(current, {
      name: { 'en-GB': 'Hand-hygiene quiz', 'de-DE': 'Quiz zur Handhygiene' },
      moreInfo: 'https://intranet.example.com/hygiene',
      extensions: { 'https://example.com/ext/reviewed': '2024-03' },
    });
    expect(merged).toEqual({
      ...current,
      name: { 'en-GB': 'Hand-hygiene quiz', 'de-DE': 'Quiz zur Handhygiene' },
      moreInfo: 'https://intranet.example.com/hygiene',
      extensions: { 'https://example.com/ext/owner': 'infection-control', 'https://example.com/ext/reviewed': '2024-03' },
    });
  });

  test('interaction properties, once known, are not changed significantly; component descriptions gain languages (2.4.4.1.s4.b5)', () => {
    const merged = activityDefinitionMerge(current, {
      interactionType: 'choice',
      correctResponsesPattern: ['never'],
      choices: [{ id: 'before', description: { 'de-DE': 'Vor dem Patientenkontakt' } }, { id: 'sometimes' }],
    });
    expect(merged.correctResponsesPattern).toEqual(['before']);
    expect(merged.choices).toEqual([
      { id: 'before', description: { 'en-GB': 'Before touching a patient', 'de-DE': 'Vor dem Patientenkontakt' } },
      { id: 'never', description: { 'en-GB': 'Never' } },
    ]);
    expect(activityDefinitionMerge(current, { interactionType: 'likert', scale: [{ id: 'a' }] })).toEqual(current);
  });

  test('what the LRS does not know yet is taken whole, and neither definition is changed', () => {
    const incoming = { interactionType: 'true-false', correctResponsesPattern: ['true'] };
    expect(activityDefinitionMerge({ name: { en: 'Question 1' } }, incoming)).toEqual({ name: { en: 'Question 1' }, ...incoming });
    expect(activityDefinitionMerge(undefined, incoming)).toEqual(incoming);
    expect(activityDefinitionMerge(current, undefined)).toEqual(current);
    const before = JSON.stringify(current);
    activityDefinitionMerge(current, { name: { fr: 'Quiz' }, choices: [{ id: 'never', description: { fr: 'Jamais' } }], interactionType: 'choice' });
    expect(JSON.stringify(current)).toBe(before);
  });
});

/** Every key used anywhere in `value`, so JSON.stringify can be asked to write them in another order. */
function flatKeys(value: unknown, into: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(value)) value.forEach((v) => flatKeys(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into[k] = true;
      flatKeys(v, into);
    }
  }
  return into;
}
