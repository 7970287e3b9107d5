import Testing
@testable import HMLang

struct LexerTests {
  func kinds(_ text: String) -> [TokenKind] {
    var lexer = Lexer(source: Source(name: "t", text: text))
    return lexer.tokenize().map(\.kind)
  }

  @Test func numbersStringsAndSymbols() {
    #expect(kinds("1_000 0x1F 2.5e-1 ..= // **") == [
      .int(1000), .int(31), .float(0.25), .symbol(.dotDotEqual), .symbol(.slashSlash), .symbol(.starStar), .eof])
    #expect(kinds("\"a{x}b\"") == [.string([.text("a"), .interpolation(Span(3, 4)), .text("b")]), .eof])
    #expect(kinds("\"tab\\t\\{\"") == [.string([.text("tab\t{")]), .eof])
  }

  @Test func newlinesAreSeparatorsOutsideBrackets() {
    #expect(kinds("a\nb") == [.identifier("a"), .newline, .identifier("b"), .eof])
    #expect(kinds("(a\nb)") == [.symbol(.lparen), .identifier("a"), .identifier("b"), .symbol(.rparen), .eof])
    #expect(kinds("{a\nb}") == [.symbol(.lbrace), .identifier("a"), .newline, .identifier("b"), .symbol(.rbrace), .eof])
    #expect(kinds("a # comment\n\n\nb") == [.identifier("a"), .newline, .identifier("b"), .eof])
  }

  @Test func badInputBecomesErrorTokens() {
    if case .error(let m) = kinds("99999999999999999999")[0] { #expect(m.contains("too large")) } else { Issue.record("no error") }
    if case .error(let m) = kinds("\"open")[0] { #expect(m.contains("unterminated")) } else { Issue.record("no error") }
    if case .error(let m) = kinds("a ! b")[1] { #expect(m.contains("'not'")) } else { Issue.record("no error") }
    if case .error(let m) = kinds("\"{x")[0] { #expect(m.contains("unterminated")) } else { Issue.record("no error") }
  }

  @Test func multilineStringsAreDedented() {
    #expect(kinds("\"\"\"\n  ab\n   c\n  \"\"\"") == [.string([.text("ab\n c")]), .eof])
  }

  @Test func positionsCountCharacters() {
    let s = Source(name: "t", text: "é = 1\nlet x")
    #expect(s.position(of: 3) == (1, 3))  // é is one character of two bytes
    #expect(s.position(of: 11) == (2, 5))
    #expect(s.lineText(2) == "let x")
  }
}

struct ParserTests {
  func parse(_ text: String) -> ([Stmt], [Diagnostic]) { Parser.parse(Source(name: "t", text: text)) }

  @Test func precedenceAndAssociativity() {
    let (program, errors) = parse("1 + 2 * 3 ** 2 ** 2")
    #expect(errors.isEmpty)
    guard case .expression(let e) = program[0].kind, case .binary(.add, _, let rhs) = e.kind,
          case .binary(.multiply, _, let pow) = rhs.kind, case .binary(.power, _, let inner) = pow.kind,
          case .binary(.power, _, _) = inner.kind else { Issue.record("wrong tree"); return }
  }

  @Test func blocksMapsAndLambdas() {
    let (program, errors) = parse("let r = {a: 1, \"b\": 2}\nlet b = { let t = 1\n t }\nlet f = fn(x, y = 2) => x\nlet e = {}")
    #expect(errors.isEmpty)
    guard case .binding(_, _, let r) = program[0].kind, case .map(let entries) = r.kind else { Issue.record("map"); return }
    #expect(entries.count == 2)
    guard case .binding(_, _, let b) = program[1].kind, case .block = b.kind else { Issue.record("block"); return }
    guard case .binding(_, _, let e) = program[3].kind, case .map(let none) = e.kind else { Issue.record("empty map"); return }
    #expect(none.isEmpty)
  }

  @Test func severalErrorsInOnePass() {
    let (_, errors) = parse("let = 1\nlet ok = 2\nlet c = )\nprint(1 2)\n")
    #expect(errors.count >= 3)
    #expect(Set(errors.map { $0.span.start }).count == errors.count)
  }

  @Test func incompleteInputAtEnd() {
    for text in ["fn f() {", "[1, 2", "if x {\n", "let s = \"\"\"\nabc", "1 +"] {
      let (_, errors) = parse(text)
      #expect(!errors.isEmpty && errors.allSatisfy { $0.kind == .incompleteInput }, "\(text)")
    }
    let (_, errors) = parse("let x = )")
    #expect(errors.first?.kind == .syntax)
  }

  @Test func nestingLimitIsADiagnosticNotACrash() {
    let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    let (_, errors) = parse(deep)
    #expect(errors.contains { $0.message.contains("nesting too deep") })
  }

  @Test func comparisonsDoNotChain() {
    let (_, errors) = parse("1 < 2 < 3")
    #expect(errors.first?.message.contains("do not chain") == true)
  }
}
