extension WebTemplates {
    /// A refused or failed request.
    static let error = #"""
        <h1>{{heading}}</h1>
        <p class="problem" role="alert" id="problem">{{message}}</p>
        {{#field}}<p>Field: <code>{{field}}</code></p>{{/field}}
        <p><a href="/">Back to the jobs</a></p>
        """#
}
