import Foundation
import Testing

/// The `hmaml>` REPL driven through a real pseudo-terminal (docs/repl.md).
///
/// Serialized: each test runs a terminal program, and the machine is small.
@Suite(.serialized) struct REPLTests {
  /// A REPL on a fresh terminal, with its own HOME and history file.
  private struct Session {
    let terminal: PseudoTerminal
    let directory: TemporaryDirectory

    init(directory: TemporaryDirectory? = nil, extra: [String: String] = [:]) throws {
      let directory = try directory ?? TemporaryDirectory()
      self.directory = directory
      var environment = HMAMLBinary.environment(
        home: directory.path, extra: ["TERM": "xterm", "HMAML_HISTORY": directory.file("history")])
      environment.merge(extra) { _, new in new }
      terminal = try PseudoTerminal(try HMAMLBinary.require(), environment: environment)
      try terminal.waitFor("hmaml> ")
    }
  }

  @Test func echoesResultsAndKeepsStateAcrossErrors() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    let failed = try repl.enter(Snippets.runtimeError)
    #expect(failed.contains("error"))
    let result = try repl.enter(Snippets.useAlpha)
    #expect(result.contains(Snippets.useAlphaResult))
  }

  @Test func ansAndTrailingSemicolonPassThroughToTheSession() throws {
    let session = try Session()
    let repl = session.terminal
    let hidden = try repl.enter("6 * 7;")
    #expect(!hidden.contains("42"))
    #expect(try repl.enter("ans + 1").contains("43"))
  }

  @Test func strayKeysAndEscapeSequencesDoNotBreakTheREPL() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    repl.send("\u{1B}[Z\u{1B}OQ\u{1B}[99~\u{7F}\u{7F}\u{1B}\u{1B}x\u{0F}\u{1C}é€")
    repl.press(PseudoTerminal.Key.controlC)
    try repl.waitUntil("a fresh prompt") { $0.hasSuffix("hmaml> ") }
    #expect(try repl.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
  }

  @Test func upRecallsTheLastEntry() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    try repl.enter(Snippets.useAlpha)
    let start = repl.mark
    repl.press(PseudoTerminal.Key.up)
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitFor(Snippets.useAlphaResult, after: start)
  }

  @Test func multiLineDefinitionUsesContinuationPrompts() throws {
    let session = try Session()
    let repl = session.terminal
    let first = try repl.enter(Snippets.functionLines[0])
    #expect(first.hasSuffix("...> "))
    let second = try repl.enter(Snippets.functionLines[1])
    #expect(second.hasSuffix("...> "))
    let last = try repl.enter(Snippets.functionLines[2])
    #expect(last.hasSuffix("hmaml> "))
    #expect(try repl.enter(Snippets.callFunction).contains(Snippets.callFunctionResult))
  }

  @Test func tabCompletesAGlobal() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineVelocity)
    let start = repl.mark
    repl.send(Snippets.velocityPrefix)
    repl.press(PseudoTerminal.Key.tab)
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitFor(Snippets.velocityValue, after: start)
  }

  @Test func tabListsAndCompletesMembers() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineRecord)
    let start = repl.mark
    repl.send(Snippets.recordPrefix)
    repl.press(PseudoTerminal.Key.tab)
    // Ambiguous: both members are listed and the line is redrawn.
    try repl.waitUntil("both members listed", after: start) { tail in
      Snippets.memberNames.allSatisfy(tail.contains)
    }
    repl.press("i")
    repl.press(PseudoTerminal.Key.tab)
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitFor(Snippets.widthValue, after: start)
  }

  @Test func ctrlCInterruptsAnEndlessLoopAndKeepsState() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    let start = repl.mark
    repl.send(Snippets.endlessLoop + PseudoTerminal.Key.enter)
    repl.press(PseudoTerminal.Key.controlC, pause: 0.5)
    try repl.waitUntil("the prompt after the interrupt", after: start) { tail in
      tail.contains("interrupted") && tail.hasSuffix("hmaml> ")
    }
    #expect(try repl.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
  }

  @Test func ctrlCAtThePromptDropsTheLine() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    repl.send("alpha + 1000")
    repl.press(PseudoTerminal.Key.controlC)
    try repl.waitUntil("a fresh prompt") { $0.hasSuffix("hmaml> ") && $0.contains("alpha + 1000") }
    let start = repl.mark
    repl.press(PseudoTerminal.Key.controlC)
    repl.press(PseudoTerminal.Key.controlC)
    // Each Ctrl-C at the prompt ends with a fresh prompt; typing before the second one is
    // handled would race its signal (the line being read would be dropped, as it should).
    try repl.waitUntil("two fresh prompts", after: start) { $0.components(separatedBy: "hmaml> ").count >= 3 }
    let result = try repl.enter(Snippets.useAlpha)
    #expect(result.contains(Snippets.useAlphaResult))
    #expect(!repl.screenText.contains("1041"))
    #expect(String(decoding: repl.screenText.utf8.dropFirst(start), as: UTF8.self).contains(Snippets.useAlphaResult))
  }

  @Test func ctrlCDropsAPendingMultiLineEntry() throws {
    let session = try Session()
    let repl = session.terminal
    #expect(try repl.enter(Snippets.functionLines[0]).hasSuffix("...> "))
    repl.press(PseudoTerminal.Key.controlC)
    try repl.waitUntil("the primary prompt") { $0.hasSuffix("hmaml> ") }
    // The abandoned definition neither runs nor enters the history.
    let failed = try repl.enter(Snippets.callFunction)
    #expect(failed.contains("error"))
    #expect(!failed.contains(Snippets.callFunctionResult))
  }

  @Test func unwritableHistoryWarnsOnceAndGoesOn() throws {
    let session = try Session(extra: ["HMAML_HISTORY": "/nonexistent-directory/history"])
    let repl = session.terminal
    let first = try repl.enter(Snippets.defineAlpha)
    #expect(first.contains("cannot save the history"))
    let second = try repl.enter(Snippets.useAlpha)
    #expect(second.contains(Snippets.useAlphaResult))
    #expect(!second.contains("cannot save the history"))
  }

  @Test func ctrlDLeavesWithExitCodeZero() throws {
    let session = try Session()
    session.terminal.press(PseudoTerminal.Key.controlD)
    #expect(try session.terminal.waitForExit() == 0)
  }

  @Test func quitLeavesWithExitCodeZero() throws {
    let session = try Session()
    session.terminal.send(":quit" + PseudoTerminal.Key.enter)
    #expect(try session.terminal.waitForExit() == 0)
  }

  @Test func historySurvivesARestartWithMultiLineEntriesAsOneItem() throws {
    let directory = try TemporaryDirectory()
    do {
      let first = try Session(directory: directory)
      try first.terminal.enter(Snippets.defineAlpha)
      // Written after every entry, not only at exit.
      let saved = try String(contentsOfFile: directory.file("history"), encoding: .utf8)
      #expect(saved.contains("alpha"))
      for line in Snippets.functionLines { try first.terminal.enter(line) }
      first.terminal.press(PseudoTerminal.Key.controlD)
      #expect(try first.terminal.waitForExit() == 0)
    }
    let second = try Session(directory: directory)
    let repl = second.terminal
    // One Up brings back the whole three-line definition; Enter defines it again.
    repl.press(PseudoTerminal.Key.up)
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitUntil("the recalled definition to run") { $0.hasSuffix("hmaml> ") && $0.contains("a * 2") }
    #expect(try repl.enter(Snippets.callFunction).contains(Snippets.callFunctionResult))
    // Three more Ups (the call, the definition, then the first session's first entry).
    let start = repl.mark
    for _ in 0..<3 { repl.press(PseudoTerminal.Key.up) }
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitUntil("the recalled first entry", after: start) { $0.hasSuffix("hmaml> ") }
    #expect(try repl.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
  }

  @Test func ctrlRSearchesTheHistory() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    try repl.enter(Snippets.defineVelocity)
    try repl.enter(":reset")
    let start = repl.mark
    repl.press(PseudoTerminal.Key.controlR)
    repl.send("let alp")
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitUntil("the found entry to run", after: start) { $0.hasSuffix("hmaml> ") }
    #expect(try repl.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
  }

  @Test func questionMarkShowsHelp() throws {
    let session = try Session()
    let output = try session.terminal.enter("?" + Snippets.helpTopic)
    #expect(output.contains(Snippets.helpExpected))
    let unknown = try session.terminal.enter("?no_such_name_anywhere")
    #expect(unknown.contains("no help"))
  }

  @Test func timeReportsADuration() throws {
    let session = try Session()
    let timed = try session.terminal.enter(":time 6 * 7")
    #expect(timed.contains("42"))
    #expect(timed.range(of: #"time: [0-9.]+ (s|ms|µs|ns)"#, options: .regularExpression) != nil)
  }

  @Test func loadRunsAFileIntoTheSession() throws {
    let directory = try TemporaryDirectory()
    let file = try directory.write("defs.hm", Snippets.defineAlpha + "\n" + Snippets.functionLines.joined(separator: "\n") + "\n")
    let session = try Session(directory: directory)
    let loaded = try session.terminal.enter(":load " + file)
    #expect(!loaded.contains("error"))
    #expect(try session.terminal.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
    #expect(try session.terminal.enter(Snippets.callFunction).contains(Snippets.callFunctionResult))
    let missing = try session.terminal.enter(":load " + directory.file("absent.hm"))
    #expect(missing.contains("No such file"))
  }

  @Test func tabCompletesCommandsAndLoadPaths() throws {
    let directory = try TemporaryDirectory()
    _ = try directory.write("definitions.hm", Snippets.defineAlpha + "\n")
    let session = try Session(directory: directory)
    let repl = session.terminal
    repl.send(":lo")
    repl.press(PseudoTerminal.Key.tab)
    repl.press(" " + directory.path + "/defi")
    repl.press(PseudoTerminal.Key.tab)
    repl.press(PseudoTerminal.Key.enter)
    try repl.waitFor("(loaded")
    try repl.waitUntil("the prompt") { $0.hasSuffix("hmaml> ") }
    #expect(try repl.enter(Snippets.useAlpha).contains(Snippets.useAlphaResult))
  }

  @Test func varsListsAndResetForgetsGlobals() throws {
    let session = try Session()
    let repl = session.terminal
    try repl.enter(Snippets.defineAlpha)
    #expect(try repl.enter(":vars").contains("alpha"))
    try repl.enter(":reset")
    #expect(try repl.enter(Snippets.useAlpha).contains("error"))
  }

  @Test func errorsAreColouredOnAColourTerminalOnly() throws {
    let coloured = try Session()
    try coloured.terminal.enter(Snippets.runtimeError)
    #expect(coloured.terminal.rawText.contains("\u{1B}[1;31m"))
    #expect(coloured.terminal.rawText.contains("32m"))  // the green prompt
    let plain = try Session(extra: ["NO_COLOR": "1"])
    try plain.terminal.enter(Snippets.runtimeError)
    #expect(plain.terminal.screenText.contains("error"))
    #expect(!plain.terminal.rawText.contains("\u{1B}[1;31m"))
    #expect(!plain.terminal.rawText.contains("32m"))
  }

  @Test func dumbTerminalRunsStandardInputAsAScript() throws {
    let directory = try TemporaryDirectory()
    let environment = HMAMLBinary.environment(home: directory.path, extra: ["TERM": "dumb"])
    let terminal = try PseudoTerminal(try HMAMLBinary.require(), environment: environment)
    terminal.send(Snippets.printSum + "\n")
    terminal.press(PseudoTerminal.Key.controlD)
    #expect(try terminal.waitForExit() == 0)
    let screen = terminal.screenText
    #expect(screen.contains(Snippets.printSumOutput))
    #expect(!screen.contains("hmaml>"))
  }
}
