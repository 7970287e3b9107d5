import Foundation
import Testing

/// `hmaml` as a command: exit codes, streams, arguments (docs/cli.md).
@Suite struct CLITests {
  private func hmaml(_ arguments: [String], input: String = "", extra: [String: String] = [:],
                     interruptAfter: TimeInterval? = nil) throws -> SubprocessResult {
    let directory = try TemporaryDirectory()
    return try Subprocess.run(try HMAMLBinary.require(), arguments, input: input,
                              environment: HMAMLBinary.environment(home: directory.path, extra: extra),
                              interruptAfter: interruptAfter)
  }

  @Test func evalRunsCodeAndExitsZero() throws {
    let result = try hmaml(["-e", Snippets.printSum])
    #expect(result.status == 0)
    #expect(result.standardOutput == Snippets.printSumOutput + "\n")
    #expect(result.standardError.isEmpty)
  }

  @Test func runtimeErrorExitsOneOnStandardError() throws {
    let result = try hmaml(["-e", Snippets.runtimeError])
    #expect(result.status == 1)
    #expect(result.standardOutput.isEmpty)
    #expect(result.standardError.contains("<-e>:1:"))
  }

  @Test func syntaxErrorExitsTwo() throws {
    let result = try hmaml(["-e", Snippets.syntaxError])
    #expect(result.status == 2)
    #expect(result.standardError.contains("<-e>:1:"))
  }

  @Test func unboundedRecursionIsALanguageErrorNotACrash() throws {
    let result = try hmaml(["-e", "fn down(n) {\n  down(n + 1)\n}\ndown(0)"])
    #expect(result.status == 1)
    #expect(result.standardError.contains("stack overflow"))
  }

  @Test func unfinishedScriptIsASyntaxError() throws {
    let result = try hmaml(["-e", Snippets.functionLines[0]])
    #expect(result.status == 2)
  }

  @Test func noColourCodesInAPipe() throws {
    let result = try hmaml(["-e", Snippets.runtimeError], extra: ["TERM": "xterm"])
    #expect(result.status == 1)
    #expect(!result.standardError.contains("\u{1B}"))
  }

  @Test func fileRunsWithItsArguments() throws {
    let directory = try TemporaryDirectory()
    let script = try directory.write("args.hm", "print(args())\n")
    let result = try Subprocess.run(try HMAMLBinary.require(), [script, "alpha", "--beta", "3", "--", "-e"],
                                    environment: HMAMLBinary.environment(home: directory.path))
    #expect(result.status == 0)
    #expect(result.standardOutput == "[\"alpha\", \"--beta\", \"3\", \"-e\"]\n")
  }

  @Test func plainArgumentsReachTheScript() throws {
    // These skip option parsing (the start-up fast path) and must mean the same.
    let directory = try TemporaryDirectory()
    let script = try directory.write("args.hm", "print(args())\n")
    let binary = try HMAMLBinary.require()
    let environment = HMAMLBinary.environment(home: directory.path)
    let fromFile = try Subprocess.run(binary, [script, "x", "y"], environment: environment)
    #expect(fromFile.standardOutput == "[\"x\", \"y\"]\n")
    let fromCode = try Subprocess.run(binary, ["-e", "print(args())", "p", "q"], environment: environment)
    #expect(fromCode.standardOutput == "[\"p\", \"q\"]\n")
  }

  @Test func seedReachesTheSession() throws {
    let result = try hmaml(["-e", "print(seed())", "--seed", "1234"])
    #expect(result.status == 0)
    #expect(result.standardOutput == "1234\n")
  }

  @Test func checkCompilesWithoutRunning() throws {
    let directory = try TemporaryDirectory()
    let good = try directory.write("good.hm", "print(\"ran\")\n")
    let bad = try directory.write("bad.hm", Snippets.syntaxError + "\n")
    let binary = try HMAMLBinary.require()
    let environment = HMAMLBinary.environment(home: directory.path)
    let ok = try Subprocess.run(binary, ["--check", good], environment: environment)
    #expect(ok.status == 0)
    #expect(ok.standardOutput.isEmpty)
    let failed = try Subprocess.run(binary, ["--check", bad], environment: environment)
    #expect(failed.status == 2)
    #expect(failed.standardError.contains("bad.hm:1:"))
  }

  @Test func disassembleListsTheBytecodeWithoutRunning() throws {
    let directory = try TemporaryDirectory()
    let good = try directory.write("good.hm", "fn add(a, b) { a + b }\nprint(\"ran\", add(1, 2))\n")
    let bad = try directory.write("bad.hm", Snippets.syntaxError + "\n")
    let binary = try HMAMLBinary.require()
    let environment = HMAMLBinary.environment(home: directory.path)
    let ok = try Subprocess.run(binary, ["--disassemble", good], environment: environment)
    #expect(ok.status == 0)
    #expect(!ok.standardOutput.contains("ran"))
    #expect(ok.standardOutput.contains("function <main>") && ok.standardOutput.contains("function add (2 params"))
    #expect(ok.standardOutput.contains("add                       2 0 1"))
    let failed = try Subprocess.run(binary, ["--disassemble", bad], environment: environment)
    #expect(failed.status == 2)
    #expect(failed.standardError.contains("bad.hm:1:"))
  }

  @Test func missingFileIsAUsageError() throws {
    let result = try hmaml(["/nonexistent/script.hm"])
    #expect(result.status == 2)
    #expect(result.standardError.contains("No such file"))
  }

  @Test func unknownOptionAndBadValueAreUsageErrors() throws {
    #expect(try hmaml(["--no-such-option"]).status == 2)
    #expect(try hmaml(["--seed", "many"]).status == 2)
  }

  @Test func versionAndHelp() throws {
    let version = try hmaml(["--version"])
    #expect(version.status == 0)
    #expect(version.standardOutput.hasPrefix("hmaml "))
    let help = try hmaml(["--help"])
    #expect(help.status == 0)
    #expect(help.standardOutput.contains("--check"))
    #expect(help.standardOutput.contains("130"))
  }

  @Test func standardInputThatIsNotATerminalRunsAsAScript() throws {
    let script = [Snippets.defineAlpha, "print(\(Snippets.useAlpha))", Snippets.useAlpha].joined(separator: "\n")
    let result = try hmaml([], input: script + "\n", extra: ["TERM": "xterm"])
    #expect(result.status == 0)
    // Printed output only: no prompt, no banner, no echo of the bare expression.
    #expect(result.standardOutput == Snippets.useAlphaResult + "\n")
    #expect(result.standardError.isEmpty)
  }

  @Test func dashReadsTheScriptFromStandardInput() throws {
    let result = try hmaml(["-", "first"], input: "print(args())\n")
    #expect(result.status == 0)
    #expect(result.standardOutput == "[\"first\"]\n")
  }

  @Test func ctrlCStopsAScriptWithExitCode130() throws {
    let result = try hmaml(["-e", Snippets.endlessLoop], interruptAfter: 0.5)
    #expect(result.status == 130)
    #expect(result.standardError.contains("interrupted"))
  }
}
