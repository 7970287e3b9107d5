import HMPlot
import HMRL

/// Tables of records (aligned text, markdown) and `show`, the one way to look at a value.
enum TablePrimitives {
  static let rows = "let rows = [{method: \"maml\", return: -9.8}, {method: \"oracle\", return: -0.5}]"

  static func rowsTable(_ c: NativeCall, _ i: Int) throws -> Table {
    let v = c[i]
    if v.tag == .map {  // one record: a one-row table
      return try PlotPrimitives.table(c.vm.heap.makeList([v]), c)
    }
    return try PlotPrimitives.table(v, c)
  }

  static let all: [Primitive] = [
    Primitive("table", [ParameterSpec("rows", .oneOf([.list, .map]), doc: "a list of records (columns by first appearance), or one record"),
                        ParameterSpec("style", .string, default: .string("auto"), doc: "\"auto\", \"unicode\" or \"ascii\" (the rule under the header)")],
              category: "tables",
              doc: "Prints records as an aligned table: numeric columns right-aligned with a shared number of decimals, missing fields blank.",
              example: "\(rows)\ntable(rows, style: \"ascii\")") { c in
      let t = try rowsTable(c, 0)
      let style = PlotOutput.resolved(try PlotOutput.style(c.string(1), c))
      c.vm.output(t.renderText(style: style) + "\n")
      return .nil
    },
    Primitive("markdown", [ParameterSpec("rows", .oneOf([.list, .map]))], returns: "a string", category: "tables",
              doc: "Records as a GitHub-flavoured markdown table (numeric columns right-aligned, `|` escaped).",
              example: "\(rows)\nprint(markdown(rows))") { c in
      c.vm.heap.makeString(try rowsTable(c, 0).markdown())
    },
    Primitive("write_markdown", [ParameterSpec("path", .string), ParameterSpec("rows", .oneOf([.list, .map])),
                                 ParameterSpec("title", .optional(.string), default: .nil, doc: "a heading written above the table")],
              category: "tables",
              doc: "Writes records as a markdown table to a file, atomically.",
              example: "\(rows)\nwrite_markdown(\"/tmp/hm_doc_table.md\", rows, title: \"Returns\")") { c in
      var text = try rowsTable(c, 1).markdown()
      if c.isGiven(2) { text = "# \(c.string(2))\n\n" + text }
      try FilePrimitives.writeAtomically(text.hasSuffix("\n") ? text : text + "\n", to: c.string(0))
      return .nil
    },
    Primitive("write_jsonl", [ParameterSpec("path", .string), ParameterSpec("rows", .oneOf([.list, .map]))],
              category: "tables",
              doc: "Writes records as JSON lines (one object per row, keys in column order; non-finite numbers and missing fields as null), atomically.",
              example: "\(rows)\nwrite_jsonl(\"/tmp/hm_doc_rows.jsonl\", rows)") { c in
      try FilePrimitives.writeAtomically(try rowsTable(c, 1).jsonLines(), to: c.string(0))
      return .nil
    },
    Primitive("show", [ParameterSpec("x", .any)] + MazePrimitives.pathParameters +
              [ParameterSpec("style", .string, default: .string("auto"), doc: "\"auto\" (from the terminal), \"unicode\" or \"ascii\"")],
              category: "tables",
              doc: "Shows a value for a human: a maze is drawn (with `path:`, a policy's greedy path or a list of states, and `trajectories:`), a list of records is printed as a table, a policy as its table; anything else is printed as the REPL would echo it.",
              example: "let m = maze(\"#####\\n#S.G#\\n#####\", horizon: 5)\nshow(m, path: value_iteration(m).policy, style: \"ascii\")") { c in
      let v = c[0]
      let style = PlotOutput.resolved(try PlotOutput.style(c.string(3), c))
      if v.tag == .object, let box = v.nativeObject.payload as? MazeBox {
        let ts = try MazePrimitives.trajectories(box.maze, path: c[1], trajectories: c[2], c)
        c.vm.output(try RLValues.run(c) { try box.maze.render(trajectories: ts, glyphs: style.unicode ? .unicode : .ascii) } + "\n")
        return .nil
      }
      if c.isGiven(1) || c.isGiven(2) { throw c.error("path: and trajectories: apply to mazes, not to \(v.typeNameWithArticle)") }
      if v.tag == .object, let p = v.nativeObject.payload as? PolicyBox {
        let a = p.policy.actionCount
        let records = (0..<p.policy.stateCount).map { s in
          [("state", TableValue.integer(s))] + (0..<a).map { ("a\($0)", TableValue.number(p.policy.probabilities[s * a + $0])) }
        }
        c.vm.output(Table(records: records).renderText(style: style) + "\n")
        return .nil
      }
      if PlotPrimitives.isRecordList(v) {
        c.vm.output(try PlotPrimitives.table(v, c).renderText(style: style) + "\n")
        return .nil
      }
      c.vm.output(c.vm.repr(v) + "\n")
      return .nil
    },
  ]
}
