extension WebTemplates {
    /// Every page's frame; `body` is the page's own rendered (already escaped) HTML.
    static let layout = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · etcron</title>
        <link rel="stylesheet" href="/assets/etcron.css">
        </head>
        <body>
        <header class="top">
        <a class="brand" href="/">etcron</a>
        {{#session}}
        <nav><a href="/">Jobs</a><a href="/cluster">Cluster</a></nav>
        <form class="signout" method="post" action="/logout">
        <input type="hidden" name="csrf" value="{{formToken}}">
        <span class="who" id="signed-in-as">{{name}} ({{role}}{{#scope}}: {{scope}}{{/scope}})</span>
        <button type="submit">Sign out</button>
        </form>
        {{/session}}
        </header>
        <main>
        {{#notice}}<p class="notice" role="status" id="notice">{{notice}}</p>{{/notice}}
        {{{body}}}
        </main>
        <footer>etcron · served by replica {{replica}} · {{now}}</footer>
        </body>
        </html>
        """#
}
