/// The report's style sheet, inlined in its `<head>`.
///
/// System fonts only (no web fonts, no requests); a light page with text at WCAG AA contrast or better;
/// one column on a phone, wider grids from about 700 px.
extension EvaluationReport {
    static let styleSheet = """
        :root {
          --ink: #1f2933; --muted: #52606d; --paper: #f6f7f9; --card: #ffffff; --line: #e3e7ec;
          --accent: #0b5cad; --blue: #0072B2; --light-blue: #b9d7ee;
          color-scheme: light;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--paper); color: var(--ink);
          font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        main { max-width: 1120px; margin: 0 auto; padding: 16px; }
        section, .hero {
          background: var(--card); border: 1px solid var(--line); border-radius: 12px;
          padding: 20px; margin: 0 0 16px;
        }
        h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 12px; overflow-wrap: anywhere; }
        h2 { font-size: 1.25rem; margin: 0 0 4px; }
        .eyebrow {
          margin: 0; color: var(--accent); font-weight: 600; font-size: .8rem;
          letter-spacing: .08em; text-transform: uppercase;
        }
        .note { color: var(--muted); font-size: .9rem; margin: 0 0 12px; }
        .facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 16px; }
        .facts dt { color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; }
        .facts dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
        .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; }
        .stat { background: var(--paper); border-radius: 10px; padding: 12px 14px; }
        .stat .value {
          display: block; font-size: 2.1rem; font-weight: 700; line-height: 1.1;
          font-variant-numeric: tabular-nums;
        }
        .stat .label { display: block; font-weight: 600; }
        .stat .hint { display: block; color: var(--muted); font-size: .8rem; }
        .hero .note { margin: 12px 0 0; }
        figure { margin: 0; }
        figcaption { font-weight: 600; margin-bottom: 4px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
        .charts svg, .narrow svg { width: 100%; height: auto; display: block; }
        .narrow { max-width: 520px; }
        .split {
          display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px 28px;
          align-items: start;
        }
        table.compact { font-size: .85rem; }
        table.compact td, table.compact th { padding: 3px 8px; }
        .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
        .scroll svg { display: block; }
        svg text { fill: var(--ink); font-family: inherit; }
        svg .tick { font-size: 12px; fill: var(--muted); }
        svg .label { font-size: 13px; font-weight: 600; }
        svg .legend { font-size: 12px; }
        svg .name { fill: var(--ink); }
        svg .grid { stroke: var(--line); stroke-width: 1; }
        svg .axis { stroke: #6b7785; stroke-width: 1; }
        svg.scale { display: block; margin-top: 8px; max-width: 100%; height: auto; }
        .bars { display: grid; gap: 3px; }
        .bar-row {
          display: grid; grid-template-columns: minmax(72px, 180px) 1fr 4.2em 4.2em; gap: 8px;
          align-items: center; font-size: .85rem;
        }
        .bar-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: right; }
        .bar-track {
          position: relative; height: 14px; background: var(--paper); border-radius: 3px; overflow: hidden;
        }
        .bar-top5, .bar-top1 { position: absolute; left: 0; top: 0; bottom: 0; }
        .bar-top5 { background: var(--light-blue); }
        .bar-top1 { background: var(--blue); }
        .bar-value, .bar-count { font-variant-numeric: tabular-nums; text-align: right; }
        .muted { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; }
        th { color: var(--muted); font-weight: 600; font-size: .8rem; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        tbody tr:nth-child(odd) { background: #fafbfc; }
        .gallery {
          display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px;
        }
        .drawing {
          background: var(--paper); border-radius: 10px; padding: 10px; text-align: center;
        }
        .drawing img, .no-image {
          width: 112px; height: 112px; display: block; margin: 0 auto 6px; background: #fff;
          image-rendering: pixelated; border: 1px solid var(--line); border-radius: 4px;
        }
        .no-image { display: flex; align-items: center; justify-content: center; color: var(--muted); }
        .drawing figcaption { font-size: .85rem; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
        .details { color: var(--muted); font-size: .75rem; margin: 2px 0 0; }
        .details span { white-space: nowrap; }
        footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 8px 0 24px; }
        @media (max-width: 600px) {
          main { padding: 8px; }
          section, .hero { padding: 14px; border-radius: 10px; }
          h1 { font-size: 1.5rem; }
          .stat .value { font-size: 1.7rem; }
          .stats { grid-template-columns: 1fr 1fr; }
          .bar-row { grid-template-columns: minmax(64px, 110px) 1fr 3.8em 3.4em; font-size: .8rem; }
          .charts svg .tick, .narrow svg .tick, .charts svg .legend, .narrow svg .legend { font-size: 14px; }
          .charts svg .label, .narrow svg .label { font-size: 15px; }
        }
        """
}
