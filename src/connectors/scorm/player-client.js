/*
 * trainhub's SCORM player, in the browser. Served as-is (no build step), after scorm-again's
 * /scorm/assets/scorm12.min.js or /scorm/assets/scorm2004.min.js, which define window.Scorm12API and
 * window.Scorm2004API.
 *
 * Reads <script type="application/json" id="scorm-launch">
 *   { version: '1.2' | '2004 …', commitUrl, token, cmi, contentUrl, navigation: { next, previous, items } }
 * creates the run-time API content looks for (window.API for 1.2, window.API_1484_11 for 2004) with the
 * session's starting data, and only then loads the content into <iframe id="scorm-content">.
 *
 * Every commit is POSTed to commitUrl as JSON { token, seq, terminated, cmi }: seq counts this page's
 * commits from 1, terminated is true for the LMSFinish / Terminate commit, cmi is the whole data model.
 * scorm-again sends ordinary commits with a synchronous XMLHttpRequest (Content-Type application/json),
 * so LMSCommit / Commit answers what the server answered: a 2xx with { "result": true, "errorCode": 0 }
 * is success, a 2xx with { "result": false, "errorCode": n } or any other status is a failure. The
 * terminating commit goes out with navigator.sendBeacon (text/plain), as does the state this script
 * sends when the page is hidden or left while content is still running.
 */
(function () {
  'use strict';

  var launch = JSON.parse(document.getElementById('scorm-launch').textContent);
  var seq = 0;
  var lastLeavingState = null;

  function envelope(cmi, terminated) {
    seq += 1;
    lastLeavingState = null;
    return { token: launch.token, seq: seq, terminated: terminated, cmi: cmi };
  }

  var settings = {
    lmsCommitUrl: launch.commitUrl,
    dataCommitFormat: 'json',
    sendFullCommit: true,
    // Content that sets values without committing still reaches the server, 30 s after its last change.
    autocommit: true,
    autocommitSeconds: 30,
    logLevel: 4, // errors only
    requestHandler: function (commit, metadata) {
      return envelope(commit.cmi, Boolean(metadata && metadata.isTerminateCommit));
    },
  };

  var api = launch.version === '1.2' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromJSON(launch.cmi);
  if (launch.version === '1.2') window.API = api;
  else window.API_1484_11 = api;

  /** The learner is leaving (or may never come back): keep what content has set so far. */
  function saveOnLeaving() {
    if (!api.isInitialized()) return; // not started yet, or terminated: its own commit went out
    var cmi = api.renderCommitCMI(false).cmi;
    var state = JSON.stringify(cmi);
    // Closing a tab fires visibilitychange and pagehide: the second has nothing new to say.
    if (state === lastLeavingState) return;
    navigator.sendBeacon(launch.commitUrl, JSON.stringify(envelope(cmi, false)));
    lastLeavingState = state;
  }
  window.addEventListener('pagehide', saveOnLeaving);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') saveOnLeaving();
  });

  // SCORM 2004 content asks to move on by setting adl.nav.request before Terminate; the terminating
  // commit has gone out as a beacon by the time scorm-again tells us, so the page may be left.
  var navigation = launch.navigation || { next: null, previous: null, items: {} };
  function go(href) {
    if (href) window.location.assign(href);
  }
  if (typeof api.on === 'function') {
    api.on('SequenceNext', function () { go(navigation.next); });
    api.on('SequencePrevious', function () { go(navigation.previous); });
    ['SequenceChoice', 'SequenceJump'].forEach(function (event) {
      api.on(event, function (_element, target) { go(navigation.items[target]); });
    });
  }

  document.getElementById('scorm-content').src = launch.contentUrl;
})();
