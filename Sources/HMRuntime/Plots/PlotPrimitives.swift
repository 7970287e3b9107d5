import HMPlot

/// plot, scatter, hist, bar, heatmap: HMPlot's figures from hm values, drawn inline in the
/// terminal or written as SVG files (`file:`).
enum PlotPrimitives {
  static let asciiSmall = "style: \"ascii\", width: 40, height: 10"

  /// Numbers from a list (or a 1-D tensor or a range); nil and non-finite values become NaN
  /// (skipped when drawn).
  static func numbers(_ v: Value, _ c: NativeCall, _ what: String) throws -> [Double] {
    if v.tag == .range { let r = v.rangeObject; return (0..<r.count).map { Double(r.element($0)) } }
    if let t = TensorConversion.tensor(of: v) {
      guard t.rank == 1 else { throw c.error("\(what) must be a 1-D tensor or a list of numbers, got shape \(t.shape)") }
      return t.toArray()
    }
    guard v.tag == .list else { throw c.error("\(what) must be a list of numbers, got \(v.typeNameWithArticle)") }
    return try v.listObject.items.enumerated().map { i, x in
      if x.isNumber { return x.number }
      if x.isNil { return .nan }
      throw c.error("\(what)[\(i)] must be a number, got \(x.typeNameWithArticle)")
    }
  }

  static func isSeriesList(_ v: Value) -> Bool {
    v.tag == .list && !v.listObject.items.isEmpty && v.listObject.items.allSatisfy { $0.tag == .list || TensorConversion.tensor(of: $0) != nil }
  }

  static func isRecordList(_ v: Value) -> Bool {
    v.tag == .list && !v.listObject.items.isEmpty && v.listObject.items.allSatisfy { $0.tag == .map }
  }

  static func labels(_ v: Value, count: Int, _ c: NativeCall) throws -> [String] {
    if v.isNil { return Array(repeating: "", count: count) }
    if let s = v.string { return count == 1 ? [s] : (0..<count).map { "\(s) \($0 + 1)" } }
    guard v.tag == .list else { throw c.error("label must be a string or a list of strings") }
    let names = v.listObject.items.map { c.vm.str($0) }
    guard names.count == count else { throw c.error("\(names.count) labels for \(count) series") }
    return names
  }

  /// A table from a list of records (columns in order of first appearance).
  static func table(_ v: Value, _ c: NativeCall) throws -> Table {
    guard v.tag == .list else { throw c.error("expected a list of records, got \(v.typeNameWithArticle)") }
    let rows = try v.listObject.items.enumerated().map { i, r -> [(String, TableValue)] in
      guard r.tag == .map else { throw c.error("row \(i) must be a record, got \(r.typeNameWithArticle)") }
      return r.mapObject.entries.map { (c.vm.str($0.key), tableValue($0.value, c.vm)) }
    }
    return Table(records: rows)
  }

  static func tableValue(_ v: Value, _ vm: VM) -> TableValue {
    switch v.tag {
    case .int: return .integer(v.int)
    case .float: return .number(v.float)
    case .nil: return .missing
    case .bool: return .text(v.bool ? "true" : "false")
    default: return .text(vm.str(v))
    }
  }

  static func columns(_ v: Value, _ c: NativeCall) throws -> [String]? {
    if v.isNil { return nil }
    if let s = v.string { return [s] }
    guard v.tag == .list else { throw c.error("y must be a column name or a list of them") }
    return v.listObject.items.map { c.vm.str($0) }
  }

  /// The series of `plot` and `scatter`: (ys), (xs, ys), ([ys…]), (xs, [ys…]), ({name: ys}),
  /// or (rows, x: column, y: columns).
  static func series(_ c: NativeCall) throws -> [Series] {
    let data = c[0], second = c[1]
    if isRecordList(data) {
      let t = try table(data, c)
      let xName: String? = c.isGiven(3) ? c.string(3) : nil
      let f = try PlotOutput.run(c) { try Figure.line(t, x: xName, y: try columns(c[4], c)) }
      return f.series
    }
    if data.tag == .map {
      return try data.mapObject.entries.map { e in
        let ys = try numbers(e.value, c, c.vm.str(e.key))
        return second.isNil ? Series(c.vm.str(e.key), y: ys) : Series(c.vm.str(e.key), x: try numbers(second, c, "xs"), y: ys)
      }
    }
    if !second.isNil, isSeriesList(data), isSeriesList(second) {  // one xs per series
      let xsList = try data.listObject.items.enumerated().map { try numbers($1, c, "xs[\($0)]") }
      let ysList = try second.listObject.items.enumerated().map { try numbers($1, c, "ys[\($0)]") }
      guard xsList.count == ysList.count else { throw c.error("\(xsList.count) x series but \(ysList.count) y series") }
      let names = try labels(c[2], count: ysList.count, c)
      return try (0..<ysList.count).map { i in
        guard xsList[i].count == ysList[i].count else { throw c.error("xs[\(i)] has \(xsList[i].count) values but ys[\(i)] has \(ysList[i].count)") }
        return Series(names[i], x: xsList[i], y: ysList[i])
      }
    }
    var xs: [Double]? = nil
    var ysList: [[Double]]
    if second.isNil {
      ysList = isSeriesList(data) ? try data.listObject.items.enumerated().map { try numbers($1, c, "ys[\($0)]") } : [try numbers(data, c, "ys")]
    } else {
      xs = try numbers(data, c, "xs")
      ysList = isSeriesList(second) ? try second.listObject.items.enumerated().map { try numbers($1, c, "ys[\($0)]") } : [try numbers(second, c, "ys")]
    }
    let names = try labels(c[2], count: ysList.count, c)
    return try ysList.enumerated().map { i, ys in
      guard let xs else { return Series(names[i], y: ys) }
      guard xs.count == ys.count else { throw c.error("xs has \(xs.count) values but ys\(ysList.count > 1 ? "[\(i)]" : "") has \(ys.count)") }
      return Series(names[i], x: xs, y: ys)
    }
  }

  static let seriesParameters = [
    ParameterSpec("data", .oneOf([.list, .map, .range, .object("tensor")]),
                  doc: "ys; or xs (with `ys`); or a list of series (with `ys`: one xs for all, or one per series); or a record {name: ys}; or a list of records (a log) with `x:`/`y:` columns"),
    ParameterSpec("ys", .optional(.oneOf([.list, .range, .object("tensor")])), default: .nil, doc: "y values (or a list of series) when `data` holds the xs"),
    ParameterSpec("label", .optional(.oneOf([.string, .list])), default: .nil, doc: "series name(s) for the legend"),
    ParameterSpec("x", .optional(.string), default: .nil, doc: "with a list of records: the x column (default: row number)"),
    ParameterSpec("y", .optional(.oneOf([.string, .list])), default: .nil, doc: "with a list of records: the y column(s) (default: every numeric column)"),
  ]

  static let all: [Primitive] = [
    Primitive("plot", seriesParameters + [ParameterSpec("lower", .optional(.list), default: .nil, doc: "lower edge of a shaded band (one series)"),
                                          ParameterSpec("upper", .optional(.list), default: .nil, doc: "upper edge of the band")] + PlotOutput.common,
              category: "plots",
              doc: "A line plot of one or several series, drawn inline in the terminal (a Braille canvas, 2×4 dots per cell; ASCII in a pipe) or written as SVG with `file:`. Accepts ys, (xs, ys), several series, a record of named series, or a learner's log (a list of records) by column names. NaN and nil values break the line.",
              example: "plot([1, 4, 9, 16], label: \"squares\", title: \"Growth\", \(asciiSmall))\nlet log = [{it: 1, pre: -20.5, post: -9.8}, {it: 2, pre: -18.0, post: -7.5}]\nplot(log, x: \"it\", y: [\"pre\", \"post\"], file: \"/tmp/hm_doc_plot.svg\")") { c in
      var s = try series(c)
      if c.isGiven(5) || c.isGiven(6) {
        guard s.count == 1, c.isGiven(5), c.isGiven(6) else { throw c.error("lower: and upper: go together, with one series") }
        s[0].lower = try numbers(c[5], c, "lower"); s[0].upper = try numbers(c[6], c, "upper")
      }
      let f = try PlotOutput.run(c) { try Figure.line(s) }
      return try PlotOutput.emit(f, try PlotOutput.options(c, from: 7), c)
    },
    Primitive("scatter", seriesParameters + PlotOutput.common, category: "plots",
              doc: "A scatter plot: one dot per (x, y) point, several series told apart by colour or markers (o + x * # @). Same data forms as `plot`.",
              example: "scatter([0.1, 0.4, 0.8], [0.2, 0.3, 0.9], label: \"tasks\", \(asciiSmall))") { c in
      let s = try series(c)
      let f = try PlotOutput.run(c) { try Figure.scatter(s) }
      return try PlotOutput.emit(f, try PlotOutput.options(c, from: 5), c)
    },
    Primitive("hist", [ParameterSpec("values", .oneOf([.list, .range, .object("tensor")])),
                       ParameterSpec("bins", .optional(.int), default: .nil, doc: "number of bins (default: about Sturges' rule, nice widths)")] + PlotOutput.common,
              category: "plots",
              doc: "A histogram of the finite values (NaN and ±inf are ignored): horizontal bars of block glyphs in the terminal, adjacent bars in SVG.",
              example: "hist([1, 2, 2, 3, 3, 3], bins: 3, style: \"ascii\", width: 40)") { c in
      let xs = try numbers(c[0], c, "values")
      if c.isGiven(1), c.int(1) < 1 { throw c.error("bins must be >= 1, got \(c.int(1))") }
      let f = try PlotOutput.run(c) { try Figure.histogram(xs, binCount: c.isGiven(1) ? c.int(1) : nil) }
      return try PlotOutput.emit(f, try PlotOutput.options(c, from: 2), c)
    },
    Primitive("bar", [ParameterSpec("labels", .oneOf([.list, .map]), doc: "bar labels, or a record {label: value}"),
                      ParameterSpec("values", .optional(.list), default: .nil)] + PlotOutput.common,
              category: "plots",
              doc: "A bar chart: `bar([\"a\", \"b\"], [1, 2])` or `bar({a: 1, b: 2})`. Negative bars grow left of zero.",
              example: "bar({siamese: 61, oracle: 64.5}, title: \"Success rate\", style: \"ascii\", width: 40)") { c in
      var names: [String], values: [Double]
      if c[0].tag == .map {
        names = c[0].mapObject.entries.map { c.vm.str($0.key) }
        values = try c[0].mapObject.entries.map { e in
          guard e.value.isNumber else { throw c.error("the value of '\(c.vm.str(e.key))' must be a number") }
          return e.value.number
        }
      } else {
        guard c.isGiven(1) else { throw c.error("give the values: bar(labels, values) or bar({label: value})") }
        names = c[0].listObject.items.map { c.vm.str($0) }
        values = try numbers(c[1], c, "values")
      }
      let f = try PlotOutput.run(c) { try Figure.bar(labels: names, values: values) }
      return try PlotOutput.emit(f, try PlotOutput.options(c, from: 2), c)
    },
    Primitive("heatmap", [ParameterSpec("matrix", .oneOf([.list, .object("tensor")]), doc: "rows of numbers, row 0 at the top"),
                          ParameterSpec("row_labels", .optional(.list), default: .nil), ParameterSpec("column_labels", .optional(.list), default: .nil),
                          ParameterSpec("show_values", .bool, default: .bool(false), doc: "SVG: write each value in its cell")] + PlotOutput.common,
              category: "plots",
              doc: "A heatmap (viridis, with a colour bar): `▄` half-blocks with colours in the terminal (a shade ramp without colour), square cells in SVG. Good for pairwise metric matrices.",
              example: "heatmap([[0, 0.4], [0.4, 0]], title: \"d_P\", style: \"ascii\", width: 30, height: 8)") { c in
      let m = try RLValues.matrix(c[0], c, "matrix", ragged: true)
      let rows = c.isGiven(1) ? c[1].listObject.items.map { c.vm.str($0) } : nil
      let cols = c.isGiven(2) ? c[2].listObject.items.map { c.vm.str($0) } : nil
      let f = try PlotOutput.run(c) { try Figure.heatmap(HeatmapGrid(m, rowLabels: rows, columnLabels: cols, showsValues: c.bool(3))) }
      return try PlotOutput.emit(f, try PlotOutput.options(c, from: 4), c)
    },
  ]
}
