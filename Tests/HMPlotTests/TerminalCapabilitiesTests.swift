import Testing
@testable import HMPlot

@Suite struct TerminalCapabilitiesTests {
  static let utf8Terminal = ["TERM": "xterm-256color", "LANG": "en_GB.UTF-8", "COLUMNS": "132", "LINES": "40"]

  @Test func utf8TerminalGetsUnicodeAndColour() {
    let caps = TerminalCapabilities.detect(environment: Self.utf8Terminal, isTerminal: true)
    #expect(caps.style == TerminalStyle(unicode: true, colour: true, trueColour: false))
    #expect(caps.columns == 132 && caps.rows == 40)
  }

  @Test func pipeGetsPlainASCII() {
    let caps = TerminalCapabilities.detect(environment: Self.utf8Terminal, isTerminal: false)
    #expect(!caps.style.unicode && !caps.style.colour)
  }

  @Test func noColorDisablesColourOnly() {
    var env = Self.utf8Terminal
    env["NO_COLOR"] = "1"
    let style = TerminalCapabilities.detect(environment: env, isTerminal: true).style
    #expect(style.unicode && !style.colour)
    env["NO_COLOR"] = ""  // no-color.org: an empty value does not count
    #expect(TerminalCapabilities.detect(environment: env, isTerminal: true).style.colour)
  }

  @Test func dumbTerminalGetsNeither() {
    var env = Self.utf8Terminal
    env["TERM"] = "dumb"
    let style = TerminalCapabilities.detect(environment: env, isTerminal: true).style
    #expect(!style.unicode && !style.colour)
  }

  @Test func localePrecedenceDecidesUnicode() {
    #expect(!TerminalCapabilities.detect(environment: ["LANG": "C"], isTerminal: true).style.unicode)
    #expect(TerminalCapabilities.detect(environment: ["LANG": "C", "LC_ALL": "C.UTF-8"], isTerminal: true).style.unicode)
    #expect(!TerminalCapabilities.detect(environment: ["LANG": "en_US.UTF-8", "LC_ALL": "POSIX"], isTerminal: true).style.unicode)
    #expect(TerminalCapabilities.detect(environment: ["LC_CTYPE": "en_US.utf8"], isTerminal: true).style.unicode)
  }

  @Test func trueColourAndSizeFallbacks() {
    let caps = TerminalCapabilities.detect(environment: ["COLORTERM": "truecolor", "COLUMNS": "abc", "LINES": "-3"],
                                           isTerminal: false)
    #expect(caps.trueColour)
    #expect(caps.columns == 80 && caps.rows == 24)
  }
}
