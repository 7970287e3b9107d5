import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// Every ```hm block in docs/*.md and README.md runs in a fresh interpreter and prints what its
/// `# expect:` comments say: the documentation cannot drift from the language.
enum DocumentationExamples {
  struct Example: CustomTestStringConvertible, Sendable {
    var file: String
    var line: Int
    var code: String
    var testDescription: String { "\(file):\(line)" }
  }

  static var all: [Example] {
    let docs = TestPaths.repository.appendingPathComponent("docs")
    var files = ((try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? [])
      .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
    files.append("README.md")
    var out: [Example] = []
    for f in files.sorted() {
      guard let text = try? String(contentsOf: TestPaths.repository.appendingPathComponent(f), encoding: .utf8) else { continue }
      var inBlock = false, start = 0, lines: [String] = []
      for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if !inBlock && line.trimmingCharacters(in: .whitespaces) == "```hm" { inBlock = true; start = n + 2; lines = [] }
        else if inBlock && line.trimmingCharacters(in: .whitespaces) == "```" {
          inBlock = false
          out.append(Example(file: f, line: start, code: lines.joined(separator: "\n")))
        } else if inBlock { lines.append(String(line)) }
      }
    }
    return out
  }
}

@Test("documentation example", arguments: DocumentationExamples.all)
func documentationExample(_ example: DocumentationExamples.Example) {
  var output = ""
  let hm = Interpreter(output: { output += $0 })
  let expected = example.code.split(separator: "\n").compactMap { line -> String? in
    guard let r = line.range(of: "# expect: ") else { return nil }
    return String(line[r.upperBound...])
  }
  do { try hm.evaluate(example.code, name: example.testDescription) }
  catch { Issue.record("\(example.testDescription) fails:\n\(error.rendered())"); return }
  var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if lines.last == "" { lines.removeLast() }
  #expect(lines == expected, "\(example.testDescription)")
}
