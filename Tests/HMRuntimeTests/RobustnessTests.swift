import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// Thousands of generated and mutated programs: none may crash the process, each either runs
/// or ends with a diagnostic that has a kind and a message.
struct RobustnessTests {
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
  }

  static let vocabulary = ["let", "var", "fn", "if", "else", "while", "for", "in", "return", "break", "continue",
                           "x", "y", "f", "print", "len", "range", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=",
                           "+", "-", "*", "/", "//", "%", "**", "==", "<", "and", "or", "not", "nil", "true",
                           "0", "1", "2.5", "9223372036854775807", "\"s\"", "\"{x}\"", "\n", ";", "..", "=>",
                           "\"\"\"", "#", "@", "import", "\"prelude\"", "x.append", "{a: 1}", "\\", "é"]

  func runBounded(_ hm: Interpreter, _ code: String, _ flag: UnsafeMutablePointer<Int32>) {
    flag.pointee = 0
    nonisolated(unsafe) let done = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    done.initialize(to: 0)
    nonisolated(unsafe) let interrupt = flag
    let watchdog = Thread {
      var waited = 0
      while done.pointee == 0 && waited < 200 { usleep(1000); waited += 1 }
      if done.pointee == 0 { interrupt.pointee = 1 }
    }
    watchdog.start()
    do { try hm.evaluate(code, name: "fuzz.hm") } catch {
      for d in error.items {
        #expect(!d.message.isEmpty)
        _ = d.rendered()
      }
    }
    done.pointee = 1
  }

  @Test func randomTokenPrograms() {
    var g = Generator(state: 7)
    nonisolated(unsafe) let flag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    flag.initialize(to: 0)
    let hm = Interpreter(output: { _ in })
    hm.vm.interruptFlag = flag
    for _ in 0..<2000 {
      let n = 1 + g.below(40)
      let code = (0..<n).map { _ in Self.vocabulary[g.below(Self.vocabulary.count)] }.joined(separator: " ")
      runBounded(hm, code, flag)
    }
  }

  @Test func mutatedLanguageScripts() throws {
    var g = Generator(state: 11)
    nonisolated(unsafe) let flag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    flag.initialize(to: 0)
    let root = TestPaths.repository.appendingPathComponent("Tests/HMRuntimeTests/Language")
    let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".hm") }
    let texts = try files.map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }
    #expect(!texts.isEmpty)
    for round in 0..<1500 {
      var chars = Array(texts[round % texts.count])
      guard !chars.isEmpty else { continue }
      switch g.below(4) {
      case 0: chars = Array(chars.prefix(g.below(chars.count)))                      // truncation
      case 1: for _ in 0..<3 { chars.remove(at: g.below(chars.count)); if chars.isEmpty { break } }
      case 2:
        let noise = Array("([{}])\"\n=+.,:#")
        for _ in 0..<3 { chars.insert(noise[g.below(noise.count)], at: g.below(chars.count)) }
      default: let i = g.below(chars.count), j = g.below(chars.count); chars.swapAt(i, j)
      }
      let hm = Interpreter(output: { _ in })
      hm.vm.interruptFlag = flag
      runBounded(hm, String(chars), flag)
    }
  }

  @Test func deepNestingAndHugeLiterals() {
    let hm = Interpreter(output: { _ in })
    let cases = [
      String(repeating: "(", count: 100_000),
      String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000),
      String(repeating: "{", count: 3000),
      String(repeating: "-", count: 10_000) + "1",
      String(repeating: "not ", count: 10_000) + "true",
      "let x = " + String(repeating: "9", count: 5000),
      "let s = \"" + String(repeating: "a", count: 1_000_000) + "\"\nlen(s)",
      "[" + Array(repeating: "1", count: 70_000).joined(separator: ",") + "]",
      "fn f(" + (0..<300).map { "a\($0)" }.joined(separator: ",") + ") { 1 }",
      String(repeating: "fn f() { ", count: 300) + String(repeating: "}", count: 300),
      "\"" + String(repeating: "{", count: 500),
    ]
    for code in cases {
      do { try hm.evaluate(code) } catch { #expect(!error.items.isEmpty) }
    }
  }
}
