extension WebTemplates {
    /// The jobs list, one page at a time.
    static let jobs = #"""
        <h1>Jobs</h1>
        <form class="filters" method="get" action="/">
        <label for="tenant">Tenant</label>
        <input id="tenant" name="tenant" value="{{tenant}}" list="tenants" placeholder="all{{#scope}} of {{scope}}{{/scope}}">
        <datalist id="tenants">{{#tenantChoices}}<option value="{{.}}">{{/tenantChoices}}</datalist>
        <label for="labelSelector">Labels</label>
        <input id="labelSelector" name="labelSelector" value="{{selector}}" placeholder="team=payments,tier in (gold)">
        <button type="submit">Filter</button>
        {{#filtered}}<a href="/">Clear</a>{{/filtered}}
        </form>
        {{#skipped}}<p class="problem">{{skipped}}</p>{{/skipped}}
        {{#hasRows}}
        <table id="jobs">
        <thead><tr><th>Tenant</th><th>Job</th><th>Schedule</th><th>Next run</th><th>Last result</th><th>Last start delay</th></tr></thead>
        <tbody>
        {{#rows}}<tr>
        <td>{{tenant}}</td>
        <td><a href="{{href}}">{{name}}</a>{{#suspended}} <span class="badge suspended">suspended</span>{{/suspended}}</td>
        <td>{{schedule}}<br><code>{{expression}}</code></td>
        <td>{{nextRun}}</td>
        <td>{{#lastResult}}<span class="badge {{lastResult}}">{{lastResult}}</span> {{lastWhen}}{{/lastResult}}{{^lastResult}}-{{/lastResult}}</td>
        <td>{{lastDelay}}</td>
        </tr>
        {{/rows}}
        </tbody>
        </table>
        {{/hasRows}}
        {{^hasRows}}<p id="no-jobs">No jobs{{#filtered}} match the filter{{/filtered}}.</p>{{/hasRows}}
        <nav class="pages">{{#firstPage}}<a href="{{firstPage}}">First page</a>{{/firstPage}} {{#nextPage}}<a id="next-page" href="{{nextPage}}">Next page</a>{{/nextPage}}</nav>
        """#
}
