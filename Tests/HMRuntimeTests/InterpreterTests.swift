import Foundation
import Testing
import HMRuntime
import HMTestSupport

/// Embedding: evaluate, read values back, define natives, capture output, interrupts.
struct InterpreterTests {
  @Test func valuesComeBackAsSwiftValues() throws {
    let hm = Interpreter(output: { _ in })
    #expect(try hm.evaluate("6 * 7") == .int(42))
    #expect(try hm.evaluate("[1, 2.5, \"x\", nil]") == .list([.int(1), .float(2.5), .string("x"), .nil]))
    let r = try hm.evaluate("{seed: 3, name: \"run\"}")
    #expect(r["seed"] == .int(3))
    #expect(r["name"]?.string == "run")
    try hm.evaluate("let total = 10")
    #expect(hm.global("total") == .int(10))
  }

  @Test func stateSurvivesErrors() throws {
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("var kept = 5")
    #expect(throws: Diagnostics.self) { try hm.evaluate("kept / 0") }
    #expect(throws: Diagnostics.self) { try hm.evaluate("let broken = (") }
    #expect(try hm.evaluate("kept + 1") == .int(6))
  }

  /// The prelude is compiled when code first names one of its functions (not at start-up); a
  /// global of the same name defined first still shadows it, and the rest of it works.
  @Test func preludeLoadsOnFirstUse() throws {
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("var count = 2\ncount += 1")
    #expect(try hm.evaluate("count") == .int(3))
    #expect(try hm.evaluate("sum(map([1, 2], fn(x) { x * count }))") == .int(9))
    #expect(hm.completions(for: "gro").contains("group_by"))
    // Inside a function compiled before the prelude, and from an imported-style fresh module.
    let other = Interpreter(output: { _ in })
    try other.evaluate("fn f(xs) { reversed(xs) }")
    #expect(try other.evaluate("f([1, 2])") == .list([.int(2), .int(1)]))
  }

  @Test func definedNativesAreCallable() throws {
    var output = ""
    let hm = Interpreter(output: { output += $0 })
    hm.define("twice", parameters: [ParameterSpec("x", .number)]) { call in Value(call.double(0) * 2) }
    #expect(try hm.evaluate("twice(21)") == .float(42))
    try hm.evaluate("print(\"hi\", twice(1))")
    #expect(output == "hi 2.0\n")
    #expect(throws: Diagnostics.self) { try hm.evaluate("twice(\"a\")") }
  }

  @Test func callHmFunctionsFromSwift() throws {
    let hm = Interpreter(output: { _ in })
    try hm.evaluate("fn add(a, b = 1) { a + b }")
    #expect(try hm.call("add", [.int(2), .int(3)]) == .int(5))
    #expect(try hm.call("add", [.int(2)]) == .int(3))
  }

  @Test func interruptStopsAnInfiniteLoop() throws {
    let ctrlC = SimulatedCtrlC()
    let hm = ctrlC.interpreter
    try hm.evaluate("var before = 1")
    ctrlC.press(after: 100_000)
    do { try hm.evaluate("while true {}"); Issue.record("should be interrupted") }
    catch { #expect(error.items.first?.kind == .interrupted) }
    #expect(try hm.evaluate("before") == .int(1))
    // Recursion is interruptible too.
    ctrlC.press(after: 100_000)
    do { try hm.evaluate("fn spin(n) { spin(n) + 0 }\nfn loop() { while true { spin2(0) } }\nfn spin2(n) { if n < 50 { spin2(n + 1) } }\nloop()"); Issue.record("should be interrupted") }
    catch { #expect(error.items.first?.kind == .interrupted) }
  }

  /// The interrupt is raised at a loop's back-edge, and the diagnostic names the loop, not the
  /// instruction before the loop's start.
  @Test(arguments: ["var i = 0\nwhile true {\n  i = i + 1\n}", "var i = 0\nfor k in 0..1000000000000 {\n  i = i + k\n}"])
  func interruptNamesTheLoop(program: String) throws {
    let ctrlC = SimulatedCtrlC()
    let hm = ctrlC.interpreter
    ctrlC.press(after: 50_000)
    do { try hm.evaluate(program); Issue.record("should be interrupted") }
    catch {
      let d = try #require(error.items.first)
      #expect(d.kind == .interrupted)
      #expect(d.position?.line == 2)
      #expect(d.rendered().contains("interrupted: stopped by Ctrl-C"))
    }
  }

  @Test func garbageIsCollectedAndValuesSurvive() throws {
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      let keep = []
      for i in 0..300000 {
        let tmp = [i, str(i), {k: i}]
        if i % 1000 == 0 { keep.append(tmp) }
      }
      var s = 0
      for t in keep { s += t[2].k }
      [len(keep), s, keep[5][1]]
      """)
    #expect(v == .list([.int(300), .int(44_850_000), .string("5000")]))
    #expect(hm.vm.heap.collections > 0)
  }

  @Test func closuresSurviveCollection() throws {
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      fn make(k) { var c = k; fn() { c += 1; c } }
      let fs = map(0..100, make)
      for i in 0..300000 { let junk = [i] }
      fs[7](); fs[7]()
      """)
    #expect(v == .int(9))
  }

  @Test func importsSearchScriptFolderThenPathThenStdlib() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-import-\(getpid())")
    let lib = dir.appendingPathComponent("lib")
    try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
    try "let where = \"local\"".write(to: dir.appendingPathComponent("which.hm"), atomically: true, encoding: .utf8)
    try "let answer = 42".write(to: lib.appendingPathComponent("deep.hm"), atomically: true, encoding: .utf8)
    try "import \"which\"\nimport \"deep\"\nimport \"prelude\" as p\nprint(which.where, deep.answer, p.sum([1, 2]))"
      .write(to: dir.appendingPathComponent("main.hm"), atomically: true, encoding: .utf8)
    var out = ""
    let hm = Interpreter(output: { out += $0 })
    hm.vm.searchPath = [lib.path]
    // Run from another working directory: imports are relative to the script.
    _ = try hm.runFile(dir.appendingPathComponent("main.hm").path)
    #expect(out == "local 42 3\n")
    #expect(throws: Diagnostics.self) { try hm.evaluate("import \"no_such_module\"") }
  }

  @Test func importCycleIsAnError() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-cycle-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "import \"b\"".write(to: dir.appendingPathComponent("a.hm"), atomically: true, encoding: .utf8)
    try "import \"a\"".write(to: dir.appendingPathComponent("b.hm"), atomically: true, encoding: .utf8)
    let hm = Interpreter(output: { _ in })
    do { _ = try hm.runFile(dir.appendingPathComponent("a.hm").path); Issue.record("cycle not detected") }
    catch { #expect(error.rendered().contains("import cycle")) }
  }

  @Test func filesJsonCsvRoundTrip() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hm-files-\(getpid())").path
    let hm = Interpreter(output: { _ in })
    let v = try hm.evaluate("""
      write_json("\(dir)/r.json", {seed: 3, lr: 0.1, tags: ["a", "b"], ok: true, none: nil})
      let j = read_json("\(dir)/r.json")
      write_csv("\(dir)/r.csv", [{step: 1, note: "a,b"}, {step: 2, note: "say \\"hi\\""}])
      let rows = read_csv("\(dir)/r.csv")
      [j.seed, j.lr, j.tags, j.ok, j.none, rows[0].note, rows[1].note, rows[1].step]
      """)
    #expect(v == .list([.int(3), .float(0.1), .list([.string("a"), .string("b")]), .bool(true), .nil,
                        .string("a,b"), .string("say \"hi\""), .int(2)]))
    #expect(throws: Diagnostics.self) { try hm.evaluate("read_json(\"\(dir)/missing.json\")") }
    try "{bad json".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
    #expect(throws: Diagnostics.self) { try hm.evaluate("read_json(\"\(dir)/bad.json\")") }
  }

  @Test func seededRandomIsReproducible() throws {
    func draws(_ seed: UInt64) throws -> HostValue {
      let hm = Interpreter(output: { _ in }, seed: seed)
      return try hm.evaluate("[random.uniform(), random.normal(), random.int(1, 6)]")
    }
    #expect(try draws(3) == draws(3))
    #expect(try draws(3) != draws(4))
  }
}
