/// The frame of every page: head with inline style (no external assets), a header with breadcrumbs, the content.
enum PageLayout {
    /// One step of the breadcrumb trail; the last one (the current page) has no link.
    struct Crumb: Sendable {
        let title: String
        let link: String?
    }

    /// A whole HTML document.
    ///
    /// - Parameters:
    ///   - title: the page's title (escaped).
    ///   - crumbs: the trail after "DataJoint" (which links to the list of schemas).
    ///   - apiLink: the JSON behind the page, linked in the header.
    ///   - refreshSeconds: reload the page this often while it is open (the jobs page).
    static func document(
        title: String, crumbs: [Crumb], apiLink: String?, refreshSeconds: Int? = nil, content: HTML
    ) -> HTML {
        let trail: [HTML] = ([Crumb(title: "DataJoint", link: WebPaths.home)] + crumbs).map { crumb in
            if let link = crumb.link { return "<a href=\"\(link)\">\(crumb.title)</a>" }
            return "<span>\(crumb.title)</span>"
        }
        let separator: HTML = "<span class=\"sep\">/</span>"
        let breadcrumbs = trail.enumerated().map { index, crumb -> HTML in index == 0 ? crumb : "\(separator)\(crumb)" }
        let refresh: HTML = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? .empty
        let api: HTML = apiLink.map { "<a class=\"api\" href=\"\($0)\">JSON</a>" } ?? .empty
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refresh)
            <title>\(title) · DataJoint</title>
            <style>\(style)</style>
            </head>
            <body>
            <header><nav>\(breadcrumbs)</nav>\(api)</header>
            <main>
            \(content)
            </main>
            </body>
            </html>

            """
    }

    private static let style: HTML = """
        :root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --head: #f6f8fa;
          --accent: #0b5fad; --bad: #b42318; --bad-bg: #fef3f2; --bar: #2da44e; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
          --head: #161b22; --accent: #4493f8; --bad: #ff7b72; --bad-bg: #2d1515; --bar: #3fb950; } }
        body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); }
        header { display: flex; justify-content: space-between; align-items: center; padding: 10px 24px;
          border-bottom: 1px solid var(--line); background: var(--head); }
        nav a, nav span { font-weight: 600; } nav .sep { color: var(--muted); margin: 0 8px; font-weight: 400; }
        a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
        a.api { font-size: 12px; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; }
        main { padding: 8px 24px 32px; max-width: 1200px; }
        h1 { font-size: 22px; margin: 16px 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
        h3 { font-size: 14px; margin: 16px 0 6px; }
        .muted { color: var(--muted); } .tier { font-size: 12px; color: var(--muted); text-transform: uppercase; }
        td.tier { vertical-align: middle; }
        table { border-collapse: collapse; margin: 4px 0 8px; }
        th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: var(--head); font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.null { color: var(--muted); font-style: italic; } th.key, td.key { font-weight: 600; }
        pre, code, td.cell { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
        pre { background: var(--head); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
          overflow-x: auto; }
        .error { color: var(--bad); background: var(--bad-bg); border: 1px solid var(--bad); border-radius: 6px;
          padding: 8px 12px; white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
        form.query { display: flex; gap: 8px; margin: 8px 0; }
        form.query input[type=text] { flex: 1; font: 13px ui-monospace, Menlo, Consolas, monospace; padding: 5px 8px;
          border: 1px solid var(--line); border-radius: 6px; background: transparent; color: var(--fg); }
        form.query button { padding: 5px 14px; border: 1px solid var(--line); border-radius: 6px; }
        .pager { display: flex; gap: 16px; align-items: center; margin: 6px 0; }
        .diagram { border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto; }
        .diagram svg { max-width: 100%; height: auto; }
        .bar { width: 160px; height: 10px; background: var(--line); border-radius: 5px; overflow: hidden;
          display: inline-block; vertical-align: middle; margin-right: 6px; }
        .bar > span { display: block; height: 100%; background: var(--bar); }
        details summary { cursor: pointer; color: var(--accent); }
        ul.links { margin: 4px 0; padding-left: 20px; }
        """
}
