extension WebTemplates {
    /// The sign-in form.
    static let signIn = #"""
        <h1>Sign in</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#available}}
        <form class="card signin" method="post" action="/login">
        <input type="hidden" name="nonce" value="{{nonce}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required>
        <button type="submit" id="sign-in">Sign in</button>
        </form>
        <p class="hint">Use the API token your platform team gave you (the same one <code>etcron login</code> takes).
        The dashboard shows the tenants it may see and offers the actions its role allows.</p>
        {{/available}}
        """#
}
