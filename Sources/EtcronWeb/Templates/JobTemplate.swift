extension WebTemplates {
    /// One job: what it is, what it did, and the actions the token may take.
    static let job = #"""
        <h1>{{tenant}}/{{name}}{{#suspended}} <span class="badge suspended">suspended</span>{{/suspended}}</h1>
        {{#description}}<p class="lead">{{description}}</p>{{/description}}
        <div class="columns">
        <section class="card">
        <h2>Schedule</h2>
        <dl id="spec">
        <dt>Schedule</dt><dd>{{schedule}}<br><code>{{expression}}</code> ({{timeZone}})</dd>
        <dt>Next run</dt><dd id="next-run">{{nextRun}}</dd>
        <dt>Concurrency</dt><dd>{{concurrency}}</dd>
        <dt>Starting deadline</dt><dd>{{deadline}}</dd>
        <dt>Target</dt><dd><code>{{target}}</code></dd>
        {{#retry}}<dt>Retries</dt><dd>{{retry}}</dd>{{/retry}}
        {{#owner}}<dt>Owner</dt><dd>{{owner}}</dd>{{/owner}}
        {{#labels}}<dt>Labels</dt><dd>{{labels}}</dd>{{/labels}}
        <dt>Decisions</dt><dd>{{invocations}} invoked, {{skips}} skipped{{#decidedThrough}}, decided through {{decidedThrough}}{{/decidedThrough}}{{#pendingTriggers}}; {{pendingTriggers}} manual run(s) waiting for the leader{{/pendingTriggers}}</dd>
        {{#created}}<dt>Created</dt><dd>{{created}}</dd>{{/created}}
        {{#updated}}<dt>Updated</dt><dd>{{updated}}</dd>{{/updated}}
        {{#suspendChange}}<dt>{{suspendChangeTitle}}</dt><dd id="suspend-change">{{suspendChange}}</dd>{{/suspendChange}}
        </dl>
        </section>
        <section class="card" id="actions">
        <h2>Actions</h2>
        {{#canWrite}}
        <form method="post" action="{{base}}/run">
        <input type="hidden" name="csrf" value="{{formToken}}">
        <label for="run-note">Note</label>
        <input id="run-note" name="note" maxlength="1024" placeholder="why (recorded with the run)">
        <button type="submit" id="run-now">Run now</button>
        </form>
        {{#suspended}}
        <form method="post" action="{{base}}/resume">
        <input type="hidden" name="csrf" value="{{formToken}}">
        <label for="resume-note">Note</label>
        <input id="resume-note" name="note" maxlength="1024">
        <button type="submit" id="resume">Resume</button>
        </form>
        {{/suspended}}
        {{^suspended}}
        <form method="post" action="{{base}}/suspend">
        <input type="hidden" name="csrf" value="{{formToken}}">
        <label for="suspend-note">Note</label>
        <input id="suspend-note" name="note" maxlength="1024" placeholder="why (shown to everyone)">
        <button type="submit" id="suspend">Suspend</button>
        </form>
        {{/suspended}}
        {{/canWrite}}
        {{^canWrite}}<p>This token may only look: running, suspending and resuming need an editor or admin token of {{tenant}}.</p>{{/canWrite}}
        </section>
        </div>
        <section>
        <h2>Recent runs</h2>
        <div class="charts">
        {{#charts}}
        <figure>
        <figcaption>{{title}} <span class="scale">(top: {{maximum}})</span></figcaption>
        <svg xmlns="http://www.w3.org/2000/svg" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{title}}">
        <line x1="{{left}}" y1="{{baseline}}" x2="{{right}}" y2="{{baseline}}" class="axis"/>
        {{#bars}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" class="bar {{kind}}"><title>{{label}}</title></rect>
        {{/bars}}
        {{#isEmpty}}<text x="{{left}}" y="40" class="empty">{{emptyText}}</text>{{/isEmpty}}
        </svg>
        </figure>
        {{/charts}}
        </div>
        {{#hasRuns}}
        <table id="runs">
        <thead><tr><th>Scheduled</th><th>Run</th><th>State</th><th>Start delay</th><th>Duration</th><th>Attempts</th><th>Result</th><th>By</th></tr></thead>
        <tbody>
        {{#runs}}<tr>
        <td>{{scheduled}}</td>
        <td><code>{{runID}}</code>{{#manual}} <span class="badge manual">manual</span>{{/manual}}{{#note}}<br><span class="note">“{{note}}”</span>{{/note}}</td>
        <td><span class="badge {{state}}">{{state}}</span></td>
        <td>{{startDelay}}</td>
        <td>{{duration}}</td>
        <td>{{attempts}}</td>
        <td>{{result}}</td>
        <td>{{by}}</td>
        </tr>
        {{/runs}}
        </tbody>
        </table>
        {{/hasRuns}}
        {{^hasRuns}}<p id="no-runs">No run yet.</p>{{/hasRuns}}
        </section>
        <section>
        <h2>Recent skips</h2>
        {{#hasSkips}}
        <table id="skips">
        <thead><tr><th>Scheduled</th><th>Times</th><th>Reason</th><th>Why</th><th>Decided</th></tr></thead>
        <tbody>
        {{#skipList}}<tr><td>{{scheduled}}</td><td>{{count}}</td><td><span class="badge skip">{{reason}}</span></td><td>{{message}}</td><td>{{decided}}</td></tr>
        {{/skipList}}
        </tbody>
        </table>
        {{/hasSkips}}
        {{^hasSkips}}<p id="no-skips">No skip among the latest decisions.</p>{{/hasSkips}}
        </section>
        <details>
        <summary>The job as the API returns it</summary>
        <pre id="manifest">{{manifest}}</pre>
        </details>
        """#
}
