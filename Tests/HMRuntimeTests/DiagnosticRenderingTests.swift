import Testing
import HMRuntime

/// Golden tests of rendered diagnostics: the exact text users see.
struct DiagnosticRenderingTests {
  func render(_ code: String) -> String {
    let hm = Interpreter(output: { _ in })
    do { _ = try hm.evaluate(code, name: "demo.hm"); return "" } catch { return error.rendered() }
  }

  @Test func runtimeErrorWithTrace() {
    let text = render("fn inner(x) { x / 0 }\nfn outer() { inner(1) }\nouter()")
    #expect(text == """
      demo.hm:1:15: runtime error: division by zero
      1 | fn inner(x) { x / 0 }
        |               ^^^^^
      stack trace (most recent call first):
        in inner at demo.hm:1:15
        in outer at demo.hm:2:14
        in <main> at demo.hm:3:1

      """)
  }

  @Test func syntaxErrorsAreAllReportedWithoutCascades() {
    let hm = Interpreter(output: { _ in })
    do {
      try hm.evaluate("let a = 1 +\nlet b = 2\nlet c = ]\nprint(c 1)\n", name: "s.hm")
      Issue.record("expected syntax errors")
    } catch {
      let lines = error.items.compactMap { $0.position?.line }
      #expect(lines.count >= 2, "several errors at once: \(error.rendered())")
      #expect(Set(lines).count == lines.count, "one error per place, no cascades: \(error.rendered())")
    }
  }

  @Test func compileErrorSuggestsName() {
    let text = render("let learning_rate = 0.1\nprint(learning_rat)")
    #expect(text.contains("demo.hm:2:7: error: unknown name 'learning_rat'"))
    #expect(text.contains("did you mean 'learning_rate'?"))
  }

  @Test func nativeArgumentErrorNamesParameterAndKind() {
    let text = render("range(1, step: \"2\")")
    #expect(text.contains("range: 'step' must be an int, got a string (\"2\")"))
  }

  @Test func unknownNamedArgumentSuggests() {
    let text = render("fn f(inner_lr = 0.1) { inner_lr }\nf(inner_rl: 1)")
    #expect(text.contains("f() has no parameter named 'inner_rl'"))
  }

  @Test func incompleteInputIsItsOwnKind() {
    let hm = Interpreter(output: { _ in })
    for code in ["fn f(x) {", "let xs = [1,", "let s = \"\"\"abc", "if true {\n  1"] {
      do { try hm.evaluate(code); Issue.record("\(code) should be incomplete") }
      catch { #expect(error.isIncompleteInput, "\(code): \(error.rendered())") }
    }
    do { try hm.evaluate("let x = )"); Issue.record("expected error") }
    catch { #expect(!error.isIncompleteInput) }
  }

  @Test func colourOnlyWhenAsked() {
    let hm = Interpreter(output: { _ in })
    do { try hm.evaluate("1 / 0") } catch {
      #expect(!error.rendered(colour: false).contains("\u{1B}["))
      #expect(error.rendered(colour: true).contains("\u{1B}["))
    }
  }
}
