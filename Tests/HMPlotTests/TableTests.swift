import Foundation
import Testing
@testable import HMPlot

@Suite struct TableTests {
  static let sample: Table = {
    // Rows are fixed and valid; a failure here is a broken test, reported by the tests below.
    (try? Table(columns: ["iteration", "task", "pre", "post"],
                rows: [[1, "maze A", -21.3, -9.8], [2, "maze B", -19.05, .missing], [10, "x", 0.5, 12.25]]))
      ?? Table(records: [])
  }()

  @Test func alignedText() {
    #expect(Self.sample.renderText() == """
      iteration  task       pre   post
      ---------  ------  ------  -----
              1  maze A  -21.30  -9.80
              2  maze B  -19.05
             10  x         0.50  12.25
      """)
    #expect(Self.sample.renderText(style: .unicodeMonochrome).contains("─────────  ──────"))
  }

  @Test func floatFormatting() throws {
    let t = try Table(columns: ["v"], rows: [[1e-6], [.number(.nan)], [.number(.infinity)], [2.0]])
    #expect(t.renderText() == "        v\n---------\n1.000e-06\n      NaN\n      inf\n2.000e+00")
  }

  @Test func raggedRowsThrow() {
    #expect(throws: PlotError.lengthMismatch(operation: "table", detail: "row 1 has 1 values, expected 2")) {
      try Table(columns: ["a", "b"], rows: [[1, 2], [3]])
    }
  }

  @Test func appendChecksLength() throws {
    var t = try Table(columns: ["a"], rows: [])
    try t.append([1])
    #expect(throws: PlotError.self) { try t.append([1, 2]) }
    #expect(t.rows == [[1]])
  }

  @Test func recordsUnionColumns() {
    let t = Table(records: [[("a", 1), ("b", "x")], [("c", 2.5), ("a", 3)]])
    #expect(t.columns == ["a", "b", "c"])
    #expect(t.rows[1] == [3, .missing, 2.5])
  }

  @Test func csvQuotingRoundTrips() throws {
    let tricky = ["plain", "comma, inside", "quote \" inside", "line\nbreak", " padded ", "", "crlf\r\nx", "ünïcødé ⠿"]
    let t = try Table(columns: ["text", "n"], rows: tricky.enumerated().map { [.text($0.element), .integer($0.offset)] })
    let csv = t.csv()
    #expect(csv.hasPrefix("text,n\nplain,0\n\"comma, inside\",1\n\"quote \"\" inside\",2\n"))
    let parsed = try Table.parseCSV(csv)
    #expect(parsed.count == tricky.count + 1)
    #expect(parsed.dropFirst().map { $0[0] } == tricky)
    #expect(parsed.dropFirst().map { $0[1] } == tricky.indices.map(String.init))
  }

  @Test func csvNumbersRoundTripExactly() throws {
    let values = [0.1, -21.3, 1e-300, 123456789.125, 1.0 / 3.0]
    let t = try Table(columns: ["v"], rows: values.map { [.number($0)] })
    let parsed = try Table.parseCSV(t.csv())
    #expect(parsed.dropFirst().compactMap { Double($0[0]) } == values)
  }

  @Test func malformedCSVThrows() {
    #expect(throws: PlotError.self) { try Table.parseCSV("a,\"unterminated\n") }
    #expect(throws: PlotError.self) { try Table.parseCSV("\"closed\"junk,b\n") }
    #expect((try? Table.parseCSV("")) == [])
    #expect((try? Table.parseCSV("a,b\r\n1,2")) == [["a", "b"], ["1", "2"]])
  }

  @Test func jsonLines() throws {
    let lines = Self.sample.jsonLines().split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0] == #"{"iteration":1,"task":"maze A","pre":-21.3,"post":-9.8}"#)
    #expect(lines[1] == #"{"iteration":2,"task":"maze B","pre":-19.05,"post":null}"#)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      #expect(object is [String: Any])
    }
    let odd = try Table(columns: ["s\"", "v"], rows: [["a\"b\\c\n\u{1}", .number(.nan)]])
    let object = try JSONSerialization.jsonObject(with: Data(odd.jsonLines().utf8)) as? [String: Any]
    #expect(object?["s\""] as? String == "a\"b\\c\n\u{1}")
    #expect(object?["v"] is NSNull)
  }

  @Test func markdown() {
    #expect(Self.sample.markdown() == """
      | iteration | task | pre | post |
      | ---: | --- | ---: | ---: |
      | 1 | maze A | -21.30 | -9.80 |
      | 2 | maze B | -19.05 |  |
      | 10 | x | 0.50 | 12.25 |

      """)
    let piped = (try? Table(columns: ["a|b"], rows: [["x|y"]]))?.markdown() ?? ""
    #expect(piped.contains("a\\|b") && piped.contains("x\\|y"))
  }
}

@Suite struct FigureFromTableTests {
  @Test func numericColumnsBecomeSeries() throws {
    let f = try Figure.line(TableTests.sample, x: "iteration")
    #expect(f.series.map(\.name) == ["pre", "post"])
    #expect(f.series[0].x == [1, 2, 10])
    #expect(f.series[1].y[1].isNaN)
    #expect(f.xLabel == "iteration")
    _ = try f.renderTerminal(width: 50, height: 10, style: .plain)
    let rows = try Figure.line(TableTests.sample, y: ["post"])
    #expect(rows.series.first?.x == [1, 2, 3])
  }

  @Test func unknownColumnsAreNamed() {
    #expect(throws: PlotError.invalidArgument(
      operation: "line", detail: "no column 'loss' (columns: iteration, task, pre, post)")) {
      try Figure.line(TableTests.sample, y: ["loss"])
    }
    #expect(throws: PlotError.self) { try Figure.line(Table(records: [[("name", "a")]])) }
  }
}
