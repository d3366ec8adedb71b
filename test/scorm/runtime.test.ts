import {
  formatScormTime,
  initialCmi,
  InvalidCommit,
  judgeCourse,
  judgeSco,
  parseScormTime,
  readCommit,
  type LaunchInput,
  type PreviousSession,
  type ScoRules,
} from '../../src/connectors/scorm/runtime';

/*
 * Commit bodies exactly as scorm-again 3.4.3 sent them (captured from the library with a recording
 * XMLHttpRequest / sendBeacon): a 1.2 LMSCommit mid-session, the 1.2 LMSFinish, and the 2004 Terminate of
 * a SCO that reported completed + passed with a scaled score under its scaled passing score.
 */
const COMMIT_12 = {"cmi":{"suspend_data":"A1B2C3","launch_data":"","comments":"","comments_from_lms":"","core":{"student_id":"person-1","student_name":"Doe, Jane","lesson_location":"slide-4","credit":"credit","lesson_status":"incomplete","entry":"ab-initio","lesson_mode":"normal","exit":"suspend","session_time":"00:00:00","score":{"raw":"","min":"","max":"100"}},"objectives":{},"student_data":{"mastery_score":"80","max_time_allowed":"","time_limit_action":""},"student_preference":{"audio":"","language":"","speed":"","text":""},"interactions":{}}};
const FINISH_12 = {"cmi":{"suspend_data":"A1B2C3","launch_data":"","comments":"","comments_from_lms":"","core":{"student_id":"person-1","student_name":"Doe, Jane","lesson_location":"slide-4","credit":"credit","lesson_status":"passed","entry":"ab-initio","lesson_mode":"normal","exit":"","session_time":"00:12:30.5","score":{"raw":"85","min":"0","max":"100"},"total_time":"00:12:30.5"},"objectives":{},"student_data":{"mastery_score":"80","max_time_allowed":"","time_limit_action":""},"student_preference":{"audio":"","language":"","speed":"","text":""},"interactions":{"0":{"id":"golf-q1","time":"","type":"choice","weighting":"","student_response":"b","result":"correct","latency":"","objectives":{},"correct_responses":{}}}}};
const TERMINATE_2004 = {"cmi":{"comments_from_learner":{},"comments_from_lms":{},"completion_status":"completed","completion_threshold":"","credit":"credit","entry":"ab-initio","exit":"normal","interactions":{"0":{"id":"q1","type":"true-false","objectives":{},"timestamp":"","weighting":"","learner_response":"true","result":"incorrect","latency":"","description":"","correct_responses":{}}},"launch_data":"","learner_id":"person-1","learner_name":"Doe, Jane","learner_preference":{"audio_level":"1","language":"","delivery_speed":"1","audio_captioning":"0"},"location":"page-2","max_time_allowed":"","mode":"normal","objectives":{"0":{"id":"etiquette","success_status":"passed","completion_status":"unknown","progress_measure":"","description":"","score":{"scaled":"","raw":"","min":"","max":""}}},"progress_measure":"1","scaled_passing_score":"0.7","score":{"scaled":"0.6","raw":"60","min":"0","max":"100"},"session_time":"PT1H2M3.4S","success_status":"failed","suspend_data":"state-1","time_limit_action":"continue,no message","total_time":"PT1H2M3.4S"}};

const LIMITS = { maxSuspendDataChars: 4096 };

/** A copy of a real commit body with some CMI elements changed (`core.` for 1.2's cmi.core). */
function changed(body: { cmi: Record<string, unknown> }, changes: Record<string, unknown>) {
  const copy = structuredClone(body) as { cmi: Record<string, any> };
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop()!;
    keys.reduce((node, key) => node[key], copy.cmi)[last] = value;
  }
  return copy;
}

function rejection(run: () => unknown): InvalidCommit {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidCommit) return error;
    throw error;
  }
  throw new Error('expected an InvalidCommit');
}

const RULES_12: ScoRules = { version: '1.2', masteryScore: null, masteryOverride: null, completionThreshold: null, scaledPassingScore: null };
const RULES_2004: ScoRules = { version: '2004 3rd Edition', masteryScore: null, masteryOverride: null, completionThreshold: null, scaledPassingScore: null };
const commit12 = (changes: Record<string, unknown>) => readCommit('1.2', changed(FINISH_12, changes), LIMITS);
const commit2004 = (changes: Record<string, unknown>) => readCommit('2004 4th Edition', changed(TERMINATE_2004, changes), LIMITS);

describe('SCORM time intervals', () => {
  test('SCORM 1.2 CMITimespan HHHH:MM:SS.SS reads as seconds, hours of any width (as scorm-again accepts) and up to centiseconds', () => {
    expect(parseScormTime('1.2', '0000:00:00')).toBe(0);
    expect(parseScormTime('1.2', '00:12:30.5')).toBe(750.5);
    expect(parseScormTime('1.2', '0001:05:30.50')).toBe(3930.5);
    expect(parseScormTime('1.2', '9999:59:59.99')).toBe(35_999_999.99);
    // scorm-again accepts minutes past 59; they count as written rather than losing the commit.
    expect(parseScormTime('1.2', '00:75:00')).toBe(4500);
  });

  test('SCORM 2004 ISO 8601 durations read as seconds; a year is 365 days and a month 30, as scorm-again counts them', () => {
    expect(parseScormTime('2004 3rd Edition', 'PT1H2M3.4S')).toBe(3723.4);
    expect(parseScormTime('2004 3rd Edition', 'PT0H0M0S')).toBe(0);
    expect(parseScormTime('2004 4th Edition', 'P1DT2H')).toBe(93_600);
    expect(parseScormTime('2004 4th Edition', 'P1Y2M')).toBe(425 * 86_400);
    expect(parseScormTime('2004 4th Edition', 'P2W')).toBe(14 * 86_400);
    expect(parseScormTime('2004 2nd Edition', 'PT000005H')).toBe(18_000);
    expect(parseScormTime('2004 2nd Edition', 'PT90M')).toBe(5400);
    expect(parseScormTime('2004 2nd Edition', 'PT1,5S')).toBe(1.5);
  });

  test('a malformed interval is an invalid commit naming the element', () => {
    for (const text of ['', '12:30', '00:00:00.123', 'PT1H', '-00:10:00']) {
      const error = rejection(() => parseScormTime('1.2', text, 'cmi.core.session_time'));
      expect([error.status, error.code, error.message]).toEqual([400, 'invalid_scorm_commit', `cmi.core.session_time must be a CMITimespan HHHH:MM:SS.SS (got ${JSON.stringify(text)})`]);
    }
    for (const text of ['', 'P', 'PT', 'P1DT', 'P1H', 'PT-1S', '00:00:10', 'pt1h', 'PT1.5H30M x']) {
      expect(rejection(() => parseScormTime('2004 4th Edition', text, 'cmi.session_time')).message).toBe(
        `cmi.session_time must be an ISO 8601 duration such as PT1H30M5.5S (got ${JSON.stringify(text)})`,
      );
    }
  });

  test('seconds format to the centisecond: 1.2 as HHHH:MM:SS.SS, 2004 as PT#H#M#S', () => {
    expect(formatScormTime('1.2', 0)).toBe('0000:00:00.00');
    expect(formatScormTime('1.2', 3930.5)).toBe('0001:05:30.50');
    expect(formatScormTime('1.2', 59.999)).toBe('0000:01:00.00');
    expect(formatScormTime('1.2', 36_000_000)).toBe('10000:00:00.00');
    expect(formatScormTime('2004 3rd Edition', 0)).toBe('PT0H0M0S');
    expect(formatScormTime('2004 3rd Edition', 3723.4)).toBe('PT1H2M3.4S');
    expect(formatScormTime('2004 4th Edition', 90_061.256)).toBe('PT25H1M1.26S');
    expect(() => formatScormTime('1.2', -1)).toThrow(RangeError);
  });

  test('what is formatted reads back as the same seconds', () => {
    for (const seconds of [0, 0.01, 59.5, 3599.99, 86_400, 123_456.78]) {
      expect(parseScormTime('1.2', formatScormTime('1.2', seconds))).toBeCloseTo(seconds, 2);
      expect(parseScormTime('2004 4th Edition', formatScormTime('2004 4th Edition', seconds))).toBeCloseTo(seconds, 2);
    }
  });
});

describe('reading a commit as scorm-again sends it', () => {
  test('a SCORM 1.2 LMSCommit mid-session: incomplete, where the learner is, nothing scored yet', () => {
    const commit = readCommit('1.2', COMMIT_12, LIMITS);
    expect({ ...commit, cmi: undefined }).toEqual({
      completion: 'incomplete',
      success: 'unknown',
      scoreRaw: null,
      scoreMin: null,
      scoreMax: 100, // scorm-again's default for cmi.core.score.max
      scoreScaled: null,
      progressMeasure: null,
      sessionSeconds: 0,
      exit: 'suspend',
      location: 'slide-4',
      suspendData: 'A1B2C3',
      cmi: undefined,
    });
    expect(commit.cmi).toBe(COMMIT_12.cmi);
  });

  test('the SCORM 1.2 LMSFinish: passed with its score and session time, interactions kept as sent', () => {
    const commit = readCommit('1.2', FINISH_12, LIMITS);
    expect([commit.completion, commit.success, commit.scoreRaw, commit.scoreMin, commit.scoreMax, commit.sessionSeconds, commit.exit]).toEqual(['completed', 'passed', 85, 0, 100, 750.5, null]);
    expect(commit.cmi).toEqual(FINISH_12.cmi);
  });

  test('the SCORM 2004 Terminate: completion and success apart, scaled score, progress, session time', () => {
    const commit = readCommit('2004 4th Edition', TERMINATE_2004, LIMITS);
    expect({ ...commit, cmi: undefined }).toEqual({
      completion: 'completed',
      success: 'failed',
      scoreRaw: 60,
      scoreMin: 0,
      scoreMax: 100,
      scoreScaled: 0.6,
      progressMeasure: 1,
      sessionSeconds: 3723.4,
      exit: 'normal',
      location: 'page-2',
      suspendData: 'state-1',
      cmi: undefined,
    });
  });

  test("the player's envelope { token, seq, terminated, cmi } and the bare cmi object read the same", () => {
    const expected = readCommit('1.2', FINISH_12, LIMITS);
    expect(readCommit('1.2', { token: 't', seq: 7, terminated: true, cmi: FINISH_12.cmi }, LIMITS)).toEqual(expected);
    expect(readCommit('1.2', FINISH_12.cmi, LIMITS)).toEqual(expected);
  });

  test('each SCORM 1.2 lesson_status says what it means for completion and success', () => {
    const read = (status: string) => {
      const { completion, success } = commit12({ 'core.lesson_status': status });
      return [completion, success];
    };
    expect(read('passed')).toEqual(['completed', 'passed']);
    expect(read('failed')).toEqual(['completed', 'failed']);
    expect(read('completed')).toEqual(['completed', 'unknown']);
    expect(read('incomplete')).toEqual(['incomplete', 'unknown']);
    expect(read('browsed')).toEqual(['incomplete', 'unknown']);
    expect(read('not attempted')).toEqual(['not_attempted', 'unknown']);
  });

  test('numbers may come as CMIDecimal strings or JSON numbers; empty or missing elements are not set', () => {
    expect(commit12({ 'core.score.raw': 92.5 }).scoreRaw).toBe(92.5);
    expect(commit12({ 'core.score.raw': '.5' }).scoreRaw).toBe(0.5);
    expect(commit2004({ 'score.scaled': '-1' }).scoreScaled).toBe(-1);
    const sparse = readCommit('2004 3rd Edition', { cmi: { completion_status: 'incomplete' } }, LIMITS);
    expect([sparse.success, sparse.scoreRaw, sparse.sessionSeconds, sparse.exit, sparse.location, sparse.suspendData]).toEqual(['unknown', null, null, null, null, null]);
    expect(commit12({ 'core.session_time': '' }).sessionSeconds).toBeNull();
  });

  test('a value outside the data model is refused, naming the element', () => {
    const message = (run: () => unknown) => rejection(run).message;
    expect(message(() => commit12({ 'core.lesson_status': 'done' }))).toBe(
      'cmi.core.lesson_status must be one of passed, failed, completed, incomplete, browsed, not attempted (got "done")',
    );
    expect(message(() => commit2004({ completion_status: 'passed' }))).toBe('cmi.completion_status must be one of completed, incomplete, not attempted, unknown (got "passed")');
    expect(message(() => commit2004({ success_status: 'Passed' }))).toBe('cmi.success_status must be one of passed, failed, unknown (got "Passed")');
    expect(message(() => commit2004({ 'score.scaled': '1.5' }))).toBe('cmi.score.scaled must be between -1 and 1 (got 1.5)');
    expect(message(() => commit2004({ progress_measure: -0.1 }))).toBe('cmi.progress_measure must be between 0 and 1 (got -0.1)');
    expect(message(() => commit12({ 'core.score.raw': 'eighty' }))).toBe('cmi.core.score.raw must be a decimal number (got "eighty")');
    expect(message(() => commit12({ 'core.score.raw': '1e2' }))).toBe('cmi.core.score.raw must be a decimal number (got "1e2")');
    expect(message(() => commit12({ 'core.exit': 'normal' }))).toBe('cmi.core.exit must be one of time-out, suspend, logout (got "normal")');
    expect(message(() => commit12({ 'core.lesson_location': 4 }))).toBe('cmi.core.lesson_location must be a string (got 4)');
    expect(message(() => commit12({ 'core.session_time': '12 minutes' }))).toBe('cmi.core.session_time must be a CMITimespan HHHH:MM:SS.SS (got "12 minutes")');
    expect(message(() => commit12({ core: 'passed' }))).toBe('cmi.core must be a JSON object');
    expect(message(() => readCommit('1.2', [FINISH_12.cmi], LIMITS))).toBe('The commit body must be a JSON object');
    expect(message(() => readCommit('1.2', 'cmi.core.lesson_status=passed', LIMITS))).toBe('The commit body must be a JSON object');
    expect(message(() => readCommit('1.2', { cmi: null }, LIMITS))).toBe('cmi must be a JSON object');
    expect([rejection(() => commit2004({ exit: 'quit' })).status, rejection(() => commit2004({ exit: 'quit' })).details]).toEqual([400, { element: 'cmi.exit' }]);
  });

  test("suspend_data is held to the package's limit: SCORM 1.2's 4,096 characters, or up to 64,000 when the tenant allows", () => {
    const at = (length: number, limit: number) => readCommit('1.2', changed(FINISH_12, { suspend_data: 'x'.repeat(length) }), { maxSuspendDataChars: limit });
    expect(at(4096, 4096).suspendData).toHaveLength(4096);
    expect(rejection(() => at(4097, 4096)).message).toBe('cmi.suspend_data is 4097 characters long; this package allows at most 4096');
    expect(at(5000, 64_000).suspendData).toHaveLength(5000);
    expect(at(64_000, 64_000).suspendData).toHaveLength(64_000);
    expect(rejection(() => at(64_001, 64_000)).message).toBe('cmi.suspend_data is 64001 characters long; this package allows at most 64000');
    // Characters, not UTF-16 units: 4,096 emoji are 8,192 units and still within 4,096 characters.
    const emoji = '🏌'.repeat(4096);
    expect(readCommit('2004 4th Edition', changed(TERMINATE_2004, { suspend_data: emoji }), LIMITS).suspendData).toBe(emoji);
  });
});

describe('judging a SCORM 1.2 SCO', () => {
  test('passed counts as complete, failed as a failed attempt, completed as complete, incomplete leaves it open', () => {
    expect(judgeSco(commit12({ 'core.lesson_status': 'passed' }), RULES_12)).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'failed' }), RULES_12)).toEqual({ completion: 'completed', success: 'failed', verdict: 'failed' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'completed' }), RULES_12)).toEqual({ completion: 'completed', success: 'unknown', verdict: 'satisfied' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'incomplete' }), RULES_12).verdict).toBe('open');
    expect(judgeSco(commit12({ 'core.lesson_status': 'browsed' }), RULES_12).verdict).toBe('open');
    expect(judgeSco(commit12({ 'core.lesson_status': 'not attempted' }), RULES_12).verdict).toBe('open');
  });

  test("the tenant's mastery override derives passed or failed from score.raw, whatever the content said", () => {
    const rules = { ...RULES_12, masteryOverride: 80 };
    expect(judgeSco(commit12({ 'core.lesson_status': 'completed', 'core.score.raw': '79.5' }), rules)).toEqual({ completion: 'completed', success: 'failed', verdict: 'failed' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'completed', 'core.score.raw': '80' }), rules)).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'passed', 'core.score.raw': '60' }), rules).verdict).toBe('failed');
    expect(judgeSco(commit12({ 'core.lesson_status': 'failed', 'core.score.raw': '95' }), rules).verdict).toBe('satisfied');
  });

  test('the override wins over the manifest masteryscore, which applies on its own when the tenant set none', () => {
    const finished70 = commit12({ 'core.lesson_status': 'completed', 'core.score.raw': '70' });
    expect(judgeSco(finished70, { ...RULES_12, masteryScore: 60 }).success).toBe('passed');
    expect(judgeSco(finished70, { ...RULES_12, masteryScore: 60, masteryOverride: 75 }).success).toBe('failed');
    expect(judgeSco(finished70, { ...RULES_12, masteryScore: 90, masteryOverride: 50 }).success).toBe('passed');
  });

  test('a mastery score needs a raw score, a SCO that reports itself finished, and a credit session', () => {
    const rules = { ...RULES_12, masteryScore: 80 };
    expect(judgeSco(commit12({ 'core.lesson_status': 'completed', 'core.score.raw': '' }), rules)).toEqual({ completion: 'completed', success: 'unknown', verdict: 'satisfied' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'incomplete', 'core.score.raw': '95' }), rules)).toEqual({ completion: 'incomplete', success: 'unknown', verdict: 'open' });
    expect(judgeSco(commit12({ 'core.lesson_status': 'completed', 'core.score.raw': '50' }), { ...rules, credit: false }).verdict).toBe('satisfied');
  });

  test('the real LMSFinish (passed, 85) against a mastery score of 80 is satisfied', () => {
    expect(judgeSco(readCommit('1.2', FINISH_12, LIMITS), { ...RULES_12, masteryScore: 80 })).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
  });
});

describe('judging a SCORM 2004 SCO', () => {
  const passingScore = { ...RULES_2004, scaledPassingScore: 0.7 };
  const threshold = { ...RULES_2004, completionThreshold: { completedByMeasure: true, minProgressMeasure: 0.8, progressWeight: 1 } };

  test('completed + failed is a failed SCO when success is required (the real Terminate: scaled 0.6 under 0.7)', () => {
    expect(judgeSco(readCommit('2004 4th Edition', TERMINATE_2004, LIMITS), passingScore)).toEqual({ completion: 'completed', success: 'failed', verdict: 'failed' });
  });

  test('the scaled passing score decides success from score.scaled, whatever the content reported', () => {
    expect(judgeSco(commit2004({ success_status: 'failed', 'score.scaled': '0.7' }), passingScore)).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
    expect(judgeSco(commit2004({ success_status: 'passed', 'score.scaled': '0.69' }), passingScore).success).toBe('failed');
    // No scaled score to judge: success is unknown, and success is what this SCO needs.
    expect(judgeSco(commit2004({ success_status: 'passed', 'score.scaled': '' }), passingScore)).toEqual({ completion: 'completed', success: 'unknown', verdict: 'open' });
  });

  test('success required: passed alone is not enough until the SCO is also completed', () => {
    expect(judgeSco(commit2004({ completion_status: 'incomplete', 'score.scaled': '0.9' }), passingScore)).toEqual({ completion: 'incomplete', success: 'passed', verdict: 'open' });
  });

  test('no passing score: completed with unknown success is satisfied, and so is passed with unknown completion', () => {
    expect(judgeSco(commit2004({ success_status: 'unknown' }), RULES_2004)).toEqual({ completion: 'completed', success: 'unknown', verdict: 'satisfied' });
    expect(judgeSco(commit2004({ completion_status: 'unknown', success_status: 'passed' }), RULES_2004).verdict).toBe('satisfied');
    expect(judgeSco(commit2004({ completion_status: 'incomplete', success_status: 'passed' }), RULES_2004).verdict).toBe('open');
    expect(judgeSco(commit2004({ completion_status: 'completed', success_status: 'failed' }), RULES_2004).verdict).toBe('failed');
  });

  test('a completion threshold decides completion from progress_measure, whatever the content reported', () => {
    expect(judgeSco(commit2004({ completion_status: 'incomplete', success_status: 'unknown', progress_measure: '0.8' }), threshold)).toEqual({ completion: 'completed', success: 'unknown', verdict: 'satisfied' });
    expect(judgeSco(commit2004({ completion_status: 'completed', success_status: 'unknown', progress_measure: '0.79' }), threshold)).toEqual({ completion: 'incomplete', success: 'unknown', verdict: 'open' });
    expect(judgeSco(commit2004({ completion_status: 'completed', success_status: 'unknown', progress_measure: '' }), threshold).completion).toBe('unknown');
    const notByMeasure = { ...RULES_2004, completionThreshold: { completedByMeasure: false, minProgressMeasure: 0.8, progressWeight: 1 } };
    expect(judgeSco(commit2004({ completion_status: 'completed', success_status: 'unknown', progress_measure: '0.1' }), notByMeasure).completion).toBe('completed');
  });

  test("the tenant's mastery override compares score.scaled × 100 and wins over the scaled passing score", () => {
    expect(judgeSco(commit2004({ 'score.scaled': '0.75' }), { ...passingScore, masteryOverride: 80 })).toEqual({ completion: 'completed', success: 'failed', verdict: 'failed' });
    expect(judgeSco(commit2004({ 'score.scaled': '0.65' }), { ...passingScore, masteryOverride: 60 })).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
    // Without a scaled score there is nothing for the override to judge: the content's own verdict stands.
    expect(judgeSco(commit2004({ 'score.scaled': '', success_status: 'passed' }), { ...RULES_2004, masteryOverride: 80 })).toEqual({ completion: 'completed', success: 'passed', verdict: 'satisfied' });
  });
});

describe("judging a course from its SCOs' verdicts", () => {
  const sco = (identifier: string, verdict: 'satisfied' | 'failed' | 'open') => ({ identifier, verdict });

  test('with nothing marked required, every SCO counts: completed once all are satisfied', () => {
    expect(judgeCourse([sco('intro', 'satisfied'), sco('quiz', 'satisfied')], [])).toBe('completed');
    expect(judgeCourse([sco('intro', 'satisfied'), sco('quiz', 'open')], [])).toBe('open');
    expect(judgeCourse([], [])).toBe('open');
  });

  test('with required SCOs, only they count', () => {
    const scos = [sco('intro', 'open'), sco('rules', 'satisfied'), sco('quiz', 'satisfied'), sco('bonus', 'failed')];
    expect(judgeCourse(scos, ['rules', 'quiz'])).toBe('completed');
    expect(judgeCourse(scos, ['rules', 'intro'])).toBe('open');
    expect(judgeCourse(scos, ['quiz', 'never-launched'])).toBe('open');
  });

  test('a failed required SCO fails the attempt once nothing required is still open', () => {
    expect(judgeCourse([sco('rules', 'failed'), sco('quiz', 'open')], [])).toBe('open');
    expect(judgeCourse([sco('rules', 'failed'), sco('quiz', 'satisfied')], [])).toBe('failed');
    expect(judgeCourse([sco('rules', 'failed'), sco('quiz', 'satisfied'), sco('extra', 'open')], ['rules', 'quiz'])).toBe('failed');
  });
});

describe('the CMI a session starts from', () => {
  const item12: LaunchInput['item'] = { masteryScore: 80, maxTimeAllowed: '0000:30:00', timeLimitAction: 'exit,message', dataFromLms: 'level=2', completionThreshold: null, primaryObjective: null };
  const item2004: LaunchInput['item'] = {
    masteryScore: null,
    maxTimeAllowed: null,
    timeLimitAction: 'continue,no message',
    dataFromLms: null,
    completionThreshold: { completedByMeasure: true, minProgressMeasure: 0.8, progressWeight: 1 },
    primaryObjective: { objectiveId: 'primary', satisfiedByMeasure: true, minNormalizedMeasure: 0.7 },
  };
  const learner = { learnerId: 'person-1', learnerName: 'Doe, Jane', credit: true };

  test('a first SCORM 1.2 session starts ab-initio with the manifest data and no time spent', () => {
    expect(initialCmi('1.2', { ...learner, item: item12, previous: null })).toEqual({
      core: { student_id: 'person-1', student_name: 'Doe, Jane', entry: 'ab-initio', credit: 'credit', lesson_mode: 'normal', total_time: '0000:00:00.00' },
      launch_data: 'level=2',
      student_data: { mastery_score: '80', max_time_allowed: '0000:30:00', time_limit_action: 'exit,message' },
    });
  });

  test('a SCORM 1.2 session after a suspend resumes where it was, with its status, score, time and interactions', () => {
    const committed = readCommit('1.2', changed(FINISH_12, { 'core.lesson_status': 'incomplete', 'core.exit': 'suspend' }), LIMITS);
    const previous: PreviousSession = { ...committed, totalSeconds: 3930.5, cmi: committed.cmi };
    expect(initialCmi('1.2', { ...learner, item: item12, previous, credit: false })).toEqual({
      core: {
        student_id: 'person-1',
        student_name: 'Doe, Jane',
        entry: 'resume',
        credit: 'no-credit',
        lesson_mode: 'normal',
        lesson_status: 'incomplete',
        lesson_location: 'slide-4',
        total_time: '0001:05:30.50',
        score: { raw: '85', min: '0', max: '100' },
      },
      suspend_data: 'A1B2C3',
      launch_data: 'level=2',
      student_data: { mastery_score: '80', max_time_allowed: '0000:30:00', time_limit_action: 'exit,message' },
      interactions: { '0': { id: 'golf-q1', time: '', type: 'choice', weighting: '', student_response: 'b', result: 'correct', latency: '', objectives: {}, correct_responses: {} } },
    });
  });

  test('a session after an exit other than suspend has an empty entry; a failed SCO still reads failed', () => {
    const previous: PreviousSession = { exit: 'logout', location: null, suspendData: null, totalSeconds: 60, completion: 'completed', success: 'failed', scoreRaw: 40, scoreScaled: null, cmi: null };
    const core = initialCmi('1.2', { ...learner, item: item12, previous }).core as Record<string, unknown>;
    expect([core.entry, core.lesson_status, core.total_time, core.score]).toEqual(['', 'failed', '0000:01:00.00', { raw: '40' }]);
  });

  test('a first SCORM 2004 session carries the completion threshold and the scaled passing score of the item', () => {
    expect(initialCmi('2004 4th Edition', { ...learner, item: item2004, previous: null })).toEqual({
      learner_id: 'person-1',
      learner_name: 'Doe, Jane',
      entry: 'ab-initio',
      credit: 'credit',
      mode: 'normal',
      total_time: 'PT0H0M0S',
      completion_threshold: '0.8',
      scaled_passing_score: '0.7',
      time_limit_action: 'continue,no message',
    });
  });

  test('a SCORM 2004 session after a suspend resumes with statuses, scores, progress, objectives and interactions (id and type first)', () => {
    // Stored JSON (PostgreSQL jsonb) does not keep key order: the interaction's type comes after its response here.
    const stored = changed(TERMINATE_2004, { exit: 'suspend', interactions: { '0': { learner_response: 'true', result: 'incorrect', type: 'true-false', id: 'q1' } } });
    const committed = readCommit('2004 4th Edition', stored, LIMITS);
    const previous: PreviousSession = { ...committed, completion: 'incomplete', success: 'unknown', totalSeconds: 3723.4, cmi: committed.cmi };
    const cmi = initialCmi('2004 4th Edition', { ...learner, item: item2004, previous });
    expect(cmi).toEqual({
      learner_id: 'person-1',
      learner_name: 'Doe, Jane',
      entry: 'resume',
      credit: 'credit',
      mode: 'normal',
      completion_status: 'incomplete',
      success_status: 'unknown',
      location: 'page-2',
      suspend_data: 'state-1',
      total_time: 'PT1H2M3.4S',
      completion_threshold: '0.8',
      scaled_passing_score: '0.7',
      time_limit_action: 'continue,no message',
      progress_measure: '1',
      score: { scaled: '0.6', raw: '60', min: '0', max: '100' },
      objectives: { '0': TERMINATE_2004.cmi.objectives['0'] },
      interactions: { '0': { id: 'q1', type: 'true-false', learner_response: 'true', result: 'incorrect' } },
    });
    expect(Object.keys((cmi.interactions as Record<string, object>)['0']!)).toEqual(['id', 'type', 'learner_response', 'result']);
  });

  test('manifest values scorm-again would refuse are left out; a threshold not by measure sets no completion_threshold', () => {
    const sloppy = { ...item2004, maxTimeAllowed: '0000:30:00', timeLimitAction: 'stop', completionThreshold: { completedByMeasure: false, minProgressMeasure: 0.5, progressWeight: 1 }, primaryObjective: null };
    expect(initialCmi('2004 3rd Edition', { ...learner, item: sloppy, previous: null })).toEqual({
      learner_id: 'person-1',
      learner_name: 'Doe, Jane',
      entry: 'ab-initio',
      credit: 'credit',
      mode: 'normal',
      total_time: 'PT0H0M0S',
    });
  });
});
