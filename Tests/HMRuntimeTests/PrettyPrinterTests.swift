import Testing
import HMRuntime

/// The REPL's echo: one line when it fits, broken one element per line when it does not, long
/// lists summarised.
struct PrettyPrinterTests {
  let hm = Interpreter(output: { _ in })

  func show(_ code: String, width: Int) throws -> String {
    hm.prettyPrint(try hm.evaluateRaw(code), width: width)
  }

  @Test func fitsOnOneLine() throws {
    #expect(try show("{seed: 3, lr: 0.1}", width: 80) == "{seed: 3, lr: 0.1}")
  }

  @Test func breaksRecordsAndListsToTheWidth() throws {
    let text = try show("{name: \"maze-9x9\", goals: [[1, 2], [3, 4]], returns: [0.5, 0.25]}", width: 30)
    #expect(text == """
      {
        name: "maze-9x9",
        goals: [[1, 2], [3, 4]],
        returns: [0.5, 0.25]
      }
      """)
    for line in text.split(separator: "\n") { #expect(line.count <= 30) }
  }

  @Test func summarisesLongLists() throws {
    let text = try show("list(0..1000)", width: 40)
    #expect(text.contains("... 980 more (1000 in all)"))
    #expect(text.split(separator: "\n").count < 30)
  }
}
