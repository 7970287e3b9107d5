import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// The language tested in the language (clox's test/, Lua's testes/): every `.hm` file under
/// Language/ runs; `# expect: text` lines give its output in order, and `# expect error:
/// line:col: message` the diagnostic it must end with.
enum LanguageScripts {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Language")

  static var all: [String] {
    let e = FileManager.default.enumerator(atPath: root.path)
    var out: [String] = []
    while let f = e?.nextObject() as? String { if f.hasSuffix(".hm") { out.append(f) } }
    return out.sorted()
  }

  struct Expectations {
    var output: [String] = []
    var error: (line: Int?, column: Int?, message: String)?
  }

  static func expectations(in text: String) -> Expectations {
    var e = Expectations()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if let r = line.range(of: "# expect: ") { e.output.append(String(line[r.upperBound...])) }
      if let r = line.range(of: "# expect error: ") {
        let spec = String(line[r.upperBound...])
        let parts = spec.split(separator: ":", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 3, let l = Int(parts[0]), let c = Int(parts[1]) {
          e.error = (l, c, parts[2])
        } else {
          e.error = (nil, nil, spec.trimmingCharacters(in: .whitespaces))
        }
      }
    }
    return e
  }
}

@Test("language script", arguments: LanguageScripts.all)
func languageScript(_ relative: String) throws {
  let url = LanguageScripts.root.appendingPathComponent(relative)
  let text = try String(contentsOf: url, encoding: .utf8)
  let expected = LanguageScripts.expectations(in: text)
  var output = ""
  let hm = Interpreter(output: { output += $0 })
  var failure: Diagnostic?
  do { _ = try hm.runFile(url.path) } catch { failure = error.items.first }
  var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if lines.last == "" { lines.removeLast() }
  #expect(lines == expected.output, "output of \(relative)")
  if let want = expected.error {
    guard let got = failure else { Issue.record("\(relative): expected an error '\(want.message)', got none"); return }
    #expect(got.message.contains(want.message), "\(relative): message '\(got.message)'")
    if let line = want.line, let column = want.column {
      #expect(got.position?.line == line && got.position?.column == column,
              "\(relative): at \(String(describing: got.position)), want \(line):\(column)")
    }
  } else if let failure {
    Issue.record("\(relative): unexpected error\n\(failure.rendered())")
  }
}
