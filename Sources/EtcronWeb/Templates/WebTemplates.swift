import Mustache

/// The dashboard's templates, compiled into the binary (no files to ship or find at run
/// time), parsed once. Every `{{value}}` is HTML-escaped by swift-mustache; the only
/// unescaped value is the layout's `{{{body}}}`, the page's own rendered template.
struct WebTemplates: Sendable {
    let library: MustacheLibrary

    /// The parsed templates.
    /// - Throws: the parser's error for a template that does not parse (a bug caught by the
    ///   tests; the operator refuses to start rather than serve broken pages).
    init() throws {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", Self.layout), ("signIn", Self.signIn), ("error", Self.error), ("jobs", Self.jobs),
            ("job", Self.job), ("cluster", Self.cluster),
        ] {
            library.register(try MustacheTemplate(string: text), named: name)
        }
        self.library = library
    }

    /// `object` rendered with the template `name` (empty for an unknown name).
    func render(_ object: Any, _ name: String) -> String {
        library.render(object, withTemplate: name) ?? ""
    }
}
