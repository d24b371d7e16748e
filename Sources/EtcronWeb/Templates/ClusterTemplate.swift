extension WebTemplates {
    /// The replica group.
    static let cluster = #"""
        <h1>Cluster</h1>
        <section class="card" id="leader">
        <h2>Leader</h2>
        {{#leader}}
        <dl>
        <dt>Replica</dt><dd id="leader-replica">{{replicaID}}</dd>
        <dt>Fencing token</dt><dd id="fencing-token">{{fencingToken}}</dd>
        <dt>Address</dt><dd>{{address}}</dd>
        <dt>Term started</dt><dd>{{termStarted}}</dd>
        <dt>Last heartbeat</dt><dd>{{lastHeartbeat}}</dd>
        </dl>
        {{/leader}}
        {{^leader}}<p class="problem">No leader is elected: no decision is made until one is.</p>{{/leader}}
        </section>
        <section>
        <h2>Replicas ({{memberCount}})</h2>
        <table id="members">
        <thead><tr><th>Replica</th><th>Role</th><th>Version</th><th>Address</th><th>Started</th><th>Last heartbeat</th><th>Executes runs</th></tr></thead>
        <tbody>
        {{#members}}<tr><td>{{replicaID}}</td><td><span class="badge {{role}}">{{role}}</span></td><td>{{version}}</td><td>{{address}}</td><td>{{started}}</td><td>{{lastHeartbeat}}</td><td>{{executes}}</td></tr>
        {{/members}}
        </tbody>
        </table>
        </section>
        <section>
        <h2>Recent leader changes</h2>
        {{#hasTerms}}
        <table id="terms">
        <thead><tr><th>Term started</th><th>Leader</th><th>Fencing token</th><th>Led for</th></tr></thead>
        <tbody>
        {{#terms}}<tr><td>{{started}}</td><td>{{replicaID}}</td><td>{{fencingToken}}</td><td>{{ledFor}}</td></tr>
        {{/terms}}
        </tbody>
        </table>
        {{/hasTerms}}
        {{^hasTerms}}<p>No term recorded yet.</p>{{/hasTerms}}
        </section>
        <p class="hint">Read at etcd revision {{revision}}.</p>
        """#
}
