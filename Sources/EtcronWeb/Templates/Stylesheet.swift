extension WebTemplates {
    /// The dashboard's only stylesheet, served at `/assets/etcron.css` (the pages' CSP
    /// allows styles from this origin only: no inline style anywhere).
    static let stylesheet = """
        :root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --bg: #f6f7f9; --accent: #2456c7; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1d2433; color: #fff; }
        header.top a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; font-size: 18px; letter-spacing: .5px; }
        header nav a { margin-right: 16px; opacity: .9; }
        .signout { margin-left: auto; display: flex; gap: 10px; align-items: center; }
        main { padding: 16px 24px 40px; max-width: 1400px; }
        h1 { font-size: 22px; margin: 8px 0 12px; }
        h2 { font-size: 16px; margin: 18px 0 8px; }
        a { color: var(--accent); }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; }
        .card { background: #fff; border: 1px solid var(--line); padding: 12px 16px; border-radius: 6px; }
        .columns { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
        dt { color: var(--muted); }
        dd { margin: 0; }
        form { margin: 0 0 10px; }
        .filters { display: flex; gap: 8px; align-items: center; margin-bottom: 12px; }
        input { padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        button { padding: 5px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; font: inherit; cursor: pointer; }
        .signin { max-width: 420px; display: grid; gap: 8px; }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e4e7ec; }
        .badge.succeeded, .badge.leader { background: #d3f2dc; color: #11602d; }
        .badge.failed, .badge.timedOut, .badge.executorLost, .badge.suspended { background: #fbd9d6; color: #8c1d13; }
        .badge.running, .badge.pending, .badge.requested, .badge.assigned, .badge.claimed { background: #dde7fb; color: #1d3f8c; }
        .badge.skip, .badge.manual, .badge.stopping { background: #fbefd0; color: #7a5300; }
        .notice { background: #d3f2dc; padding: 8px 12px; border-radius: 4px; }
        .problem { background: #fbd9d6; padding: 8px 12px; border-radius: 4px; }
        .hint, .scale, footer, .note { color: var(--muted); }
        footer { padding: 12px 24px; font-size: 12px; }
        .pages { margin-top: 12px; display: flex; gap: 16px; }
        .charts { display: flex; gap: 24px; flex-wrap: wrap; margin-bottom: 12px; }
        figure { margin: 0; background: #fff; border: 1px solid var(--line); padding: 8px; }
        figcaption { font-weight: 600; margin-bottom: 4px; }
        svg .axis { stroke: #9aa3b2; }
        svg .bar { fill: #7f95c9; }
        svg .bar.succeeded { fill: #3a9d5d; }
        svg .bar.failed, svg .bar.timedOut, svg .bar.executorLost { fill: #d0483a; }
        svg .empty { fill: #5b6475; font-size: 12px; }
        """
}
